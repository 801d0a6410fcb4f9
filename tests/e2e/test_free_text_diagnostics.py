"""Whole diagnostics typed only in free text, through the REST channel, each ending with the
exact score and level; and random answers that must never keep a diagnostic from ending.

The diagnostics (tests/e2e/free_text_diagnostics.yml) were written from SPEC.md alone by an
author who never saw the answer examples. The scripted owner behaves as a person would: when
the assistant reads an answer back wrongly ("Noté : …") they say "non, c'est pas ça", and when
it asks again or asks them to choose, they pick the right button. How often that happens is
printed (pytest -s) and reported in the closing note; a wrong answer left stored fails.
"""

import random
import re
from pathlib import Path

import pytest
import yaml

from bot.diagnostic.answers import DONT_KNOW_LABEL, NONE_LABEL
from bot.diagnostic.questionnaire import DONT_KNOW, load_questionnaire
from bot.diagnostic.scoring import score

Q = load_questionnaire()
DIAGNOSTICS = yaml.safe_load((Path(__file__).parent / "free_text_diagnostics.yml").read_text(encoding="utf-8"))[
    "diagnostics"
]
LEVEL_LABELS = {"basic": "Débutant", "intermediate": "Intermédiaire", "advanced": "Avancé", "leader": "Leader"}


def exact_answer(question_id: str, expected) -> str:
    """What an owner clicks (or types as the buttons say) to give exactly this answer."""
    question = Q.question(question_id)
    if expected == DONT_KNOW:
        return DONT_KNOW_LABEL
    if isinstance(expected, list):
        if not expected:
            return NONE_LABEL
        chosen = [
            option for option in expected if not (option == "social_network" and "several_social_networks" in expected)
        ]
        return " et ".join(str(question.option_ids.index(option) + 1) for option in chosen)
    return question.label_of(expected)


def give(owner, question_id: str, text: str, expected, counts: dict) -> None:
    assert owner.slots["requested_slot"] == question_id, owner.text
    owner.says(text)
    stored = owner.slots[question_id]
    if stored == expected:
        counts["first_time"] += 1
        assert owner.replies[0]["text"].startswith("Noté : "), owner.text  # a typed answer is read back
        return
    if stored is not None:  # read back wrongly: the owner says so, as the echo invites them to
        counts["corrected"] += 1
        owner.says("non, c'est pas ça")
        assert owner.slots[question_id] is None and owner.slots["requested_slot"] == question_id, owner.text
    elif owner.slots.get("pending_clarification") == question_id or len(owner.buttons) < len(
        Q.question(question_id).options
    ):
        counts["clarified"] += 1
    else:
        counts["asked_again"] += 1
    owner.says(exact_answer(question_id, expected))
    assert owner.slots[question_id] == expected, owner.text


@pytest.mark.parametrize("diagnostic", DIAGNOSTICS, ids=[item["name"] for item in DIAGNOSTICS])
def test_free_text_diagnostic_ends_with_the_exact_score_and_level(owner, diagnostic):
    counts = {"first_time": 0, "corrected": 0, "clarified": 0, "asked_again": 0}
    owner.says("je voudrais faire le diagnostic")
    profile = diagnostic["profile"]
    for slot in ("sector", "headcount", "location"):
        assert owner.slots["requested_slot"] == slot, owner.text
        owner.says(profile[slot]["text"])
    slots = owner.slots
    assert slots["sector"] == profile["sector"]["expected"]
    assert slots["headcount"] == profile["headcount"]["expected"]
    assert profile["location"]["expected"].lower() in slots["location"].lower()
    for item in diagnostic["answers"]:
        give(owner, item["question"], item["text"], item["expected"], counts)
    expected = score(Q, {item["question"]: item["expected"] for item in diagnostic["answers"]})
    slots = owner.slots
    assert slots["score_overall"] == pytest.approx(expected.overall, abs=0.01)
    assert slots["maturity_level"] == expected.level
    assert f"{round(expected.overall)}/100" in owner.text and LEVEL_LABELS[expected.level] in owner.text
    print(f"\n{diagnostic['name']}: {counts}")


OFF_TOPIC = [
    "il fait beau aujourd'hui",
    "vous avez vu le match hier soir",
    "ma recette de crepes est la meilleure",
    "lol",
    "mon chat dort sur le clavier",
    "qui a gagne l'euromillions",
    "bof bof",
    "hmm",
    "la réponse D",
    "42",
    "???",
    "...",
    "ok et alors",
    "blablabla",
    "je mange un sandwich",
    "trop bien les vacances",
]


def random_answer(rng: random.Random) -> str:
    if rng.random() < 0.5:
        return rng.choice(OFF_TOPIC)
    words = [
        "".join(rng.choice("azertyuiopqsdfghjklmwxcvbn") for _ in range(rng.randint(2, 9)))
        for _ in range(rng.randint(1, 5))
    ]
    return " ".join(words)


def test_two_hundred_random_answers_never_keep_a_diagnostic_from_ending(owner_factory):
    rng = random.Random(20261203)
    sent, diagnostics, pauses = 0, 0, 0
    while sent < 200:
        owner = owner_factory()
        owner.says("/start_diagnostic")
        diagnostics += 1
        unread_in_a_row, previous, said = 0, None, {}
        for _ in range(6 * len(Q.slot_order)):
            slots = owner.slots
            if slots["requested_slot"] is None:
                if slots["maturity_level"]:
                    break
                pauses += 1  # a random text read as "stop": the owner comes back, as invited
                owner.says("/start_diagnostic")
                continue
            unread_in_a_row = slots["question_attempts"] if slots["requested_slot"] == previous else 0
            previous = slots["requested_slot"]
            assert unread_in_a_row < 3, f"{previous} asked again after three unread answers: {owner.text}"
            text = random_answer(rng)
            said.setdefault(previous, []).append(text)
            owner.says(text)
            sent += 1
        slots = owner.slots
        assert slots["requested_slot"] is None and slots["maturity_level"] == "basic", owner.text
        assert re.search(r"\d+/100", owner.text), owner.text
        stored = {
            question_id: (slots[question_id], said.get(question_id))
            for question_id in Q.question_ids
            if slots[question_id] != DONT_KNOW
        }
        assert stored == {}  # nothing the owner did not say is stored
    print(
        f"\n{sent} random answers in {diagnostics} diagnostics ({pauses} read as a pause), each ended with its result"
    )
