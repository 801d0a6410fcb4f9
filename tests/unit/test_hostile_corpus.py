"""The corpus of odd and hostile inputs loads, follows its rules and covers every kind."""

import collections
import json
import textwrap

import pytest

from tests.hostile.corpus import KINDS, CorpusError, load_corpus, request_body


@pytest.fixture(scope="module")
def corpus():
    return load_corpus()


def test_corpus_is_large_and_covers_every_kind(corpus):
    assert len(corpus) >= 300
    counts = collections.Counter(entry["kind"] for entry in corpus)
    assert set(counts) == set(KINDS)
    assert min(counts.values()) >= 10, counts


def test_entries_have_final_text_and_unique_ids(corpus):
    ids = [entry["id"] for entry in corpus]
    assert len(ids) == len(set(ids))
    for entry in corpus:
        assert isinstance(entry["text"], str)
        assert isinstance(entry["expect_no_slot"], list)


def test_kind_specific_rules(corpus):
    for entry in corpus:
        text, kind = entry["text"], entry["kind"]
        if kind == "empty":
            assert text.strip() == "", entry["id"]
        elif kind == "length":
            assert 2_001 <= len(text) <= 100_000, (entry["id"], len(text))
        elif kind == "forged_payload" and entry["id"] != "payload_not_at_start":
            assert text.startswith("/"), entry["id"]
        else:
            assert len(text) <= 2_000, entry["id"]
        if entry["raw_json"]:
            assert kind == "control", entry["id"]


def test_every_entry_travels_as_json(corpus):
    for entry in corpus:
        body = request_body(entry, sender="s")
        assert json.loads(body.decode("ascii")) == {"sender": "s", "message": entry["text"]}
        if not entry["raw_json"]:
            entry["text"].encode("utf-8")
    raw = [entry for entry in corpus if entry["raw_json"]]
    assert raw, "lone surrogates are part of the corpus"
    for entry in raw:
        with pytest.raises(UnicodeEncodeError):
            entry["text"].encode("utf-8")
        assert b"\\ud" in request_body(entry)


def test_generated_entries_are_expanded(corpus):
    by_id = {entry["id"]: entry for entry in corpus}
    assert by_id["long_a_20000"]["text"] == "a" * 20_000
    assert by_id["letters_then_at"]["text"] == "a" * 50_000 + "@"
    phone = by_id["request_advisor_phone_10000_digits"]["text"]
    assert phone == '/request_advisor{"phone": "' + "1" * 10_000 + '"}'
    assert json.loads(phone[len("/request_advisor") :])["phone"] == "1" * 10_000
    entities = json.loads(by_id["payload_1000_entities"]["text"][len("/inform") :])
    assert len(entities["location"]) == 1_000


def test_forged_out_of_contract_values_are_expected_not_to_fill_slots(corpus):
    by_id = {entry["id"]: entry for entry in corpus}
    assert "sector" in by_id["inform_sector_hacker"]["expect_no_slot"]
    assert "headcount" in by_id["inform_headcount_minus_5"]["expect_no_slot"]
    assert "score_overall" in by_id["inform_score_overall"]["expect_no_slot"]
    assert "handoff_status" in by_id["inform_handoff_status_live"]["expect_no_slot"]
    assert "requested_slot" in by_id["inform_requested_slot"]["expect_no_slot"]


def _write(tmp_path, body):
    path = tmp_path / "corpus.yml"
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    return path


def test_loader_accepts_a_minimal_file(tmp_path):
    path = _write(
        tmp_path,
        """
        inputs:
        - id: a_text
          kind: empty
          text: ""
        - id: a_generated
          kind: length
          generate: {prefix: "<", repeat: "ab", times: 3, suffix: ">"}
          expect_no_slot: [email]
        """,
    )
    entries = load_corpus(path)
    assert [entry["text"] for entry in entries] == ["", "<ababab>"]
    assert entries[1]["expect_no_slot"] == ["email"]
    assert entries[0]["raw_json"] is False


@pytest.mark.parametrize(
    "body, message",
    [
        ("- {id: x, kind: empty, text: ''}\n- {id: x, kind: empty, text: ' '}", "duplicate"),
        ("- {id: x, kind: nonsense, text: ''}", "unknown kind"),
        ("- {id: x, kind: empty, text: '', generate: {repeat: a, times: 2}}", "exactly one"),
        ("- {id: x, kind: empty}", "exactly one"),
        ("- {id: Not-Snake, kind: empty, text: ''}", "snake_case"),
        ("- {id: x, kind: numbers, text: 12}", "must be a string"),
        ("- {id: x, kind: length, generate: {repeat: a, times: 0}}", "positive integer"),
        ("- {id: x, kind: length, generate: {repeat: a, times: 2, extra: 1}}", "unknown generate"),
        ("- {id: x, kind: empty, text: '', expect_no_slot: [nope]}", "unknown slots"),
        ("- {id: x, kind: empty, text: '', colour: red}", "unknown keys"),
        ('- {id: x, kind: control, text: "\\ud800"}', "raw_json"),
        ("- {id: x, kind: control, text: 'a', raw_json: true}", "raw_json"),
    ],
)
def test_loader_rejects_broken_entries(tmp_path, body, message):
    path = _write(tmp_path, "inputs:\n" + body + "\n")
    with pytest.raises(CorpusError, match=message):
        load_corpus(path)


def test_loader_rejects_a_file_without_inputs(tmp_path):
    with pytest.raises(CorpusError):
        load_corpus(_write(tmp_path, "entries: []\n"))
