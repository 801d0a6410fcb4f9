"""The messages file: what a deployer may change in it, and what stops the assistant with a clear error."""

import re
from pathlib import Path

import pytest
import yaml

from bot.datafile import DataFileError
from bot.messages import CONTRACT, MESSAGES_FILE, load_messages, message

pytestmark = pytest.mark.unit

REPO = Path(__file__).resolve().parents[2]


def edited(tmp_path: Path, change) -> Path:
    content = yaml.safe_load(MESSAGES_FILE.read_text(encoding="utf-8"))
    change(content)
    path = tmp_path / "messages.yml"
    path.write_text(yaml.safe_dump(content, allow_unicode=True), encoding="utf-8")
    return path


def test_the_shipped_file_holds_every_message_the_code_sends():
    assert set(load_messages()) == set(CONTRACT)


def test_every_message_key_named_in_the_code_exists():
    # message("a.b", …) and message(f"a.{x}") in the code: each literal key is in the contract.
    used = set()
    for path in list((REPO / "bot").rglob("*.py")) + list((REPO / "actions").rglob("*.py")):
        used |= set(re.findall(r'message\(\s*"([a-z_]+\.[a-z_]+)"', path.read_text(encoding="utf-8")))
    assert used and used <= set(CONTRACT), sorted(used - set(CONTRACT))


@pytest.mark.parametrize(
    "change, error",
    [
        (lambda c: c["handoff"].pop("declined"), "missing messages: handoff.declined"),
        (
            lambda c: c["handoff"].update(thanks="Merci"),
            "unknown messages (the assistant never sends them): handoff.thanks",
        ),
        (
            lambda c: c["handoff"].update(already_sent="Un conseiller vous appellera {delai}."),
            "handoff.already_sent: unknown value {delai} (this message can use: {delay})",
        ),
        (lambda c: c["diagnostic"].update(resume={"one": "Une question"}), "'one' and 'other'"),
        (lambda c: c["door"].update(empty=""), "door.empty: expected a non-empty text"),
        (lambda c: c["door"].update(too_fast="Attendez {"), "door.too_fast: Single '{'"),
    ],
    ids=["missing", "unknown", "misspelt value", "plural without both forms", "empty", "unbalanced brace"],
)
def test_a_broken_messages_file_is_refused_with_the_message_named(tmp_path, change, error):
    with pytest.raises(DataFileError) as refused:
        load_messages(edited(tmp_path, change))
    assert error in str(refused.value)


def test_a_reworded_message_is_accepted(tmp_path):
    path = edited(tmp_path, lambda c: c["handoff"].update(already_sent="C'est déjà transmis ({delay})."))
    assert load_messages(path)["handoff.already_sent"] == "C'est déjà transmis ({delay})."


@pytest.mark.parametrize(
    "count, expected",
    [
        (1, "Votre résultat arrive à la fin du diagnostic : il reste 1 question."),
        (2, "Votre résultat arrive à la fin du diagnostic : il reste 2 questions."),
    ],
)
def test_a_plural_takes_the_form_of_its_count(count, expected):
    assert message("diagnostic.progress", count=count) == expected


def test_values_are_filled_in():
    assert message("handoff.sent", ticket=12, team="l'équipe numérique") == (
        "C'est noté ! Votre demande n° 12 est transmise à l'équipe numérique."
    )
