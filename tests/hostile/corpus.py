"""Loader for the corpus of odd and hostile chat inputs (tests/hostile/corpus.yml).

`load_corpus()` reads the YAML file, checks it and returns one dict per entry with its
final `text` (generated entries are expanded). `request_body()` builds the JSON body for
Rasa's REST channel, `POST /webhooks/rest/webhook`, from an entry.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Dict, List, Optional, Union

import yaml

CORPUS_PATH = Path(__file__).with_name("corpus.yml")

# Categories of input; each must have at least one entry.
KINDS = (
    "empty",
    "length",
    "control",
    "emoji",
    "languages",
    "markup",
    "sql",
    "numbers",
    "contact_misplaced",
    "forged_payload",
    "gibberish",
    "path_and_format",
    "french_odd",
    "slot_names",
)

QUESTION_SLOTS = (
    "q_digital_plan",
    "q_digital_benefit",
    "q_connection",
    "q_cloud_services",
    "q_online_presence",
    "q_online_sales",
    "q_reviews",
    "q_invoicing",
    "q_customer_file",
    "q_backup",
    "q_security_measures",
    "q_training",
    "q_it_support",
    "q_ai_use",
    "q_automation",
)

# Slots of the dialogue contract (SPEC sections 2 and 3) that `expect_no_slot` may name.
CONTRACT_SLOTS = frozenset(
    ("sector", "headcount", "location", "postcode", "email", "phone", "requested_slot")
    + QUESTION_SLOTS
    + ("score_overall", "maturity_level", "dimension_scores", "handoff_status")
)

ENTRY_KEYS = frozenset(("id", "kind", "text", "generate", "expect_no_slot", "raw_json", "note"))
GENERATE_KEYS = frozenset(("prefix", "repeat", "times", "suffix"))
ID_PATTERN = re.compile(r"^[a-z0-9]+(?:_[a-z0-9]+)*$")
# No generated message may exceed this many characters (keeps the corpus cheap to build).
MAX_TEXT_CHARS = 200_000
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


class CorpusError(ValueError):
    """The corpus file breaks one of its rules."""


def _generated_text(entry_id: str, spec: Any) -> str:
    if not isinstance(spec, dict):
        raise CorpusError(f"{entry_id}: generate must be a mapping")
    unknown = set(spec) - GENERATE_KEYS
    if unknown:
        raise CorpusError(f"{entry_id}: unknown generate keys {sorted(unknown)}")
    repeat, times = spec.get("repeat"), spec.get("times")
    if not isinstance(repeat, str) or not repeat:
        raise CorpusError(f"{entry_id}: generate.repeat must be a non-empty string")
    if isinstance(times, bool) or not isinstance(times, int) or times < 1:
        raise CorpusError(f"{entry_id}: generate.times must be a positive integer")
    prefix, suffix = spec.get("prefix", ""), spec.get("suffix", "")
    if not isinstance(prefix, str) or not isinstance(suffix, str):
        raise CorpusError(f"{entry_id}: generate.prefix and generate.suffix must be strings")
    if len(prefix) + len(repeat) * times + len(suffix) > MAX_TEXT_CHARS:
        raise CorpusError(f"{entry_id}: generated text longer than {MAX_TEXT_CHARS} characters")
    return prefix + repeat * times + suffix


def _check_entry(raw: Any, index: int) -> Dict[str, Any]:
    if not isinstance(raw, dict):
        raise CorpusError(f"entry #{index}: must be a mapping")
    entry_id = raw.get("id")
    if not isinstance(entry_id, str) or not ID_PATTERN.match(entry_id):
        raise CorpusError(f"entry #{index}: id {entry_id!r} is not snake_case")
    unknown = set(raw) - ENTRY_KEYS
    if unknown:
        raise CorpusError(f"{entry_id}: unknown keys {sorted(unknown)}")
    kind = raw.get("kind")
    if kind not in KINDS:
        raise CorpusError(f"{entry_id}: unknown kind {kind!r}")
    if ("text" in raw) == ("generate" in raw):
        raise CorpusError(f"{entry_id}: needs exactly one of text and generate")
    if "text" in raw:
        text = raw["text"]
        if not isinstance(text, str):
            raise CorpusError(f"{entry_id}: text must be a string (quote it), got {type(text).__name__}")
    else:
        text = _generated_text(entry_id, raw["generate"])
    if len(text) > MAX_TEXT_CHARS:
        raise CorpusError(f"{entry_id}: text longer than {MAX_TEXT_CHARS} characters")

    raw_json = raw.get("raw_json", False)
    if not isinstance(raw_json, bool):
        raise CorpusError(f"{entry_id}: raw_json must be true or false")
    has_surrogate = bool(_LONE_SURROGATE.search(text))
    if raw_json and not has_surrogate:
        raise CorpusError(f"{entry_id}: raw_json is only for texts holding a lone surrogate")
    if has_surrogate and not raw_json:
        raise CorpusError(f"{entry_id}: a lone surrogate cannot travel as UTF-8; mark it raw_json: true")

    expect_no_slot = raw.get("expect_no_slot", [])
    if not isinstance(expect_no_slot, list) or not all(isinstance(s, str) for s in expect_no_slot):
        raise CorpusError(f"{entry_id}: expect_no_slot must be a list of slot names")
    unknown_slots = set(expect_no_slot) - CONTRACT_SLOTS
    if unknown_slots:
        raise CorpusError(f"{entry_id}: expect_no_slot names unknown slots {sorted(unknown_slots)}")
    if len(set(expect_no_slot)) != len(expect_no_slot):
        raise CorpusError(f"{entry_id}: expect_no_slot repeats a slot")

    note = raw.get("note")
    if note is not None and not isinstance(note, str):
        raise CorpusError(f"{entry_id}: note must be a string")
    return {
        "id": entry_id,
        "kind": kind,
        "text": text,
        "expect_no_slot": list(expect_no_slot),
        "raw_json": raw_json,
        "note": note,
    }


def load_corpus(path: Union[str, Path, None] = None) -> List[Dict[str, Any]]:
    """Read and check the corpus; return its entries with their final `text`.

    Each entry is a dict with `id`, `kind`, `text`, `expect_no_slot` (a list, maybe
    empty), `raw_json` (bool) and `note` (str or None). Raises CorpusError when the
    file breaks a rule: unknown kind or key, duplicate id, not exactly one of
    text/generate, unknown slot, text that cannot travel as JSON.
    """
    source = Path(path) if path is not None else CORPUS_PATH
    with open(source, encoding="utf-8") as handle:
        document = yaml.safe_load(handle)
    if not isinstance(document, dict) or not isinstance(document.get("inputs"), list):
        raise CorpusError(f"{source}: expected a mapping with an 'inputs' list")
    entries: List[Dict[str, Any]] = []
    seen = set()
    for index, raw in enumerate(document["inputs"]):
        entry = _check_entry(raw, index)
        if entry["id"] in seen:
            raise CorpusError(f"duplicate id {entry['id']!r}")
        seen.add(entry["id"])
        entries.append(entry)
    return entries


def request_body(entry: Dict[str, Any], sender: Optional[str] = None) -> bytes:
    """The UTF-8 JSON body to POST to /webhooks/rest/webhook for this entry.

    Non-ASCII characters are written as `\\uXXXX` escapes, so that a lone surrogate
    (a `raw_json` entry) reaches the server as the JSON escape it is, not as bytes
    that are not UTF-8.
    """
    payload = {"sender": sender or f"hostile-{entry['id']}", "message": entry["text"]}
    return json.dumps(payload, ensure_ascii=True).encode("ascii")
