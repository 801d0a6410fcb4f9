"""Odd and hostile input against the running servers, as an outsider would send it: each
message gets a polite French reply within 2 seconds, never a 5xx or a traceback, never a
slot outside the SPEC; the conversation then goes on; the server's memory stays bounded."""

import json
import time
import urllib.error
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from bot.language.entities import CANONICAL_VALUES
from bot.language.entity_contract import MAX_HEADCOUNT
from bot.language.inbound import reply
from tests.e2e.conftest import tracker
from tests.helpers import reply_text
from tests.hostile.corpus import load_corpus, request_body

CORPUS = load_corpus()
RESULT_SLOTS = ("score_overall", "maturity_level", "dimension_scores")


def post(url: str, body: bytes, headers=None, timeout: float = 30):
    """(status, parsed JSON or text, seconds) of one POST to the REST channel."""
    request = urllib.request.Request(
        f"{url}/webhooks/rest/webhook", body, {"Content-Type": "application/json", **(headers or {})}
    )
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            status, raw = answer.status, answer.read()
    except urllib.error.HTTPError as error:
        status, raw = error.code, error.read()
    elapsed = time.monotonic() - started
    try:
        return status, json.loads(raw), elapsed
    except ValueError:
        return status, raw.decode("utf-8", "replace"), elapsed


def say(url: str, sender: str, text: str):
    return post(url, json.dumps({"sender": sender, "message": text}).encode())


def slots_of(url: str, sender: str) -> dict:
    return tracker(url, sender)["slots"]


def out_of_contract(slots: dict) -> list:
    """The slots whose values the SPEC does not allow, for an owner who never finished a
    diagnostic nor asked for an advisor."""
    wrong = []
    if slots.get("sector") not in (None, *CANONICAL_VALUES["sector"]):
        wrong.append("sector")
    headcount = slots.get("headcount")
    if headcount is not None and not (
        isinstance(headcount, (int, float)) and 1 <= headcount <= MAX_HEADCOUNT and headcount == int(headcount)
    ):
        wrong.append("headcount")
    location = slots.get("location")
    if location is not None and (not isinstance(location, str) or len(location) > 80):
        wrong.append("location")
    if slots.get("email") is not None and "@" not in str(slots["email"]):
        wrong.append("email")
    if slots.get("phone") is not None and not (str(slots["phone"]).isdigit() and len(str(slots["phone"])) == 10):
        wrong.append("phone")
    wrong += [slot for slot in RESULT_SLOTS if slots.get(slot) not in (None, {})]
    if slots.get("handoff_status") not in (None, "none"):
        wrong.append("handoff_status")
    return wrong


def resident_kb(port: int) -> int:
    """Resident memory of the Rasa server listening on this port."""
    for process in Path("/proc").iterdir():
        if not process.name.isdigit():
            continue
        try:
            command = (process / "cmdline").read_bytes().split(b"\0")
            if b"ops.rasa_server" in command and str(port).encode() in command:
                status = (process / "status").read_text()
                return int(next(line for line in status.splitlines() if line.startswith("VmRSS")).split()[1])
        except (OSError, StopIteration):
            continue
    raise LookupError(f"no Rasa server on port {port}")


def try_entry(url: str, entry: dict) -> list:
    """The problems one corpus entry shows, as readable lines (empty when all is well)."""
    sender = f"hostile-{uuid.uuid4().hex[:12]}"
    status, answer, elapsed = post(url, request_body(entry, sender))
    problems = []
    if status >= 500 or status == 400:
        problems.append(f"HTTP {status}")
    elif elapsed > 2.0:
        problems.append(f"answered in {elapsed:.1f} s")
    text = reply_text(answer) if isinstance(answer, list) else str(answer)
    if not text.strip():
        problems.append("no reply")
    if "Traceback" in text or "Exception" in text or "Error" in text:
        problems.append("a traceback in the reply")
    slots = slots_of(url, sender)
    problems += [f"slot {slot} = {slots.get(slot)!r}" for slot in out_of_contract(slots)]
    problems += [f"slot {slot} filled" for slot in entry["expect_no_slot"] if slots.get(slot) not in (None, [], "none")]
    status, answer, _ = say(url, sender, "bonjour")
    if status != 200 or not reply_text(answer).strip():
        problems.append(f"no answer to the following 'bonjour' (HTTP {status})")
    return [f"{entry['id']}: {problem}" for problem in problems]


def test_the_hostile_corpus_gets_polite_answers_and_the_conversations_go_on(running_assistant, capsys):
    url = running_assistant.url
    say(url, "warm-up", "bonjour")
    before = resident_kb(running_assistant.port)
    with ThreadPoolExecutor(max_workers=3) as pool:
        problems = [line for lines in pool.map(lambda entry: try_entry(url, entry), CORPUS) for line in lines]
    after = resident_kb(running_assistant.port)
    with capsys.disabled():
        print(
            f"\nHostile corpus: {len(CORPUS)} inputs, {len(problems)} problems; "
            f"Rasa server memory {before / 1024:.0f} MB before, {after / 1024:.0f} MB after"
        )
    assert problems == [], "\n".join(problems)
    assert after - before < 200 * 1024


@pytest.mark.parametrize(
    "text",
    ["a" * 100_000, "bonjour " * 5_000, "@" * 50_000, "a" * 50_000 + "@", "1" * 20_000, "\u0000", "bonjour\u0000"],
)
def test_long_or_broken_messages_are_answered_at_once(server, text):
    sender = f"long-{uuid.uuid4().hex[:10]}"
    status, answer, elapsed = say(server, sender, text)
    assert status == 200 and elapsed < 2
    expected = reply("empty") if text.strip("\u0000") == "" else None
    if len(text) > 2000:
        expected = reply("too_long", 2000)
    if expected:
        assert reply_text(answer) == expected
    else:
        assert reply_text(answer).strip()
    assert slots_of(server, sender)["sector"] is None
    status, answer, _ = say(server, sender, "bonjour")
    assert status == 200 and "bonjour" in reply_text(answer).lower()


@pytest.mark.parametrize(
    "body, status",
    [
        (b"", 400),
        (b"[]", 400),
        (b"[1, 2]", 400),
        (b"{", 400),
        (b"null", 400),
        (b'"bonjour"', 400),
        (b'{"message": "bonjour"}', 400),
        (b'{"sender": 42, "message": "bonjour"}', 400),
        (b'{"sender": "\\ud800", "message": "bonjour"}', 400),
        (b'{"sender": "' + b"a" * 200 + b'", "message": "x"}', 400),
        (b'{"sender": "ok-sender", "message": {"text": "bonjour"}}', 400),
        (b'{"sender": "ok-sender", "message": "bonjour", "metadata": [1]}', 400),
        (b"\xff\xfe\x00", 400),
    ],
)
def test_malformed_requests_get_a_french_400_not_a_500(server, body, status):
    got, answer, _ = post(server, body)
    assert got == status and "Requête invalide" in answer["error"]


def test_a_client_cannot_record_its_message_as_another_channels(server):
    sender = f"channel-{uuid.uuid4().hex[:10]}"
    post(server, json.dumps({"sender": sender, "message": "bonjour", "input_channel": "socketio"}).encode())
    events = tracker(server, sender)["events"]
    assert [event["input_channel"] for event in events if event["event"] == "user"] == ["rest"]
    status, answer, _ = post(server, json.dumps({"sender": "web-" + "a" * 32, "message": "bonjour"}).encode())
    assert status == 403 and "site" in answer["error"]


def test_internal_intents_typed_by_an_owner_get_an_answer(server):
    for text in ("/session_start", "/nlu_fallback", "/back", "/action_restart", "/faq"):
        status, answer, _ = say(server, f"internal-{uuid.uuid4().hex[:10]}", text)
        assert status == 200 and reply_text(answer).strip(), text
