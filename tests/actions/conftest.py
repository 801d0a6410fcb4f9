"""Trackers for action tests, built like the ones Rasa sends to the action server."""

import asyncio
import json
from pathlib import Path

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.diagnostic.questionnaire import load_questionnaire

FIXTURES = Path(__file__).parent / "fixtures"
DOMAIN = yaml.safe_load((Path(__file__).parents[2] / "domain.yml").read_text(encoding="utf-8"))


def make_tracker(
    text="",
    intent=None,
    entities=(),
    slots=None,
    active_loop=None,
    requested_slot=None,
    events=(),
    response_selector=None,
    sender_id="test-owner",
):
    all_slots = {slot: None for slot in load_questionnaire().slot_order}
    all_slots.update({"handoff_status": "none", "failed_understandings": 0, "requested_slot": requested_slot})
    all_slots.update(slots or {})
    latest = {
        "text": text,
        "intent": {"name": intent, "confidence": 0.99} if intent else {},
        "entities": list(entities),
    }
    if response_selector:
        latest["response_selector"] = response_selector
    return Tracker(
        sender_id,
        all_slots,
        latest,
        list(events),
        False,
        None,
        {"name": active_loop} if active_loop else {},
        "action_listen",
    )


TYPED = object()  # the slot is filled with the text the owner typed


def answering(slot, text, intent="inform", entities=(), slots=None, value=TYPED, form="diagnostic_form", **kwargs):
    """The tracker a form's validation receives when the owner answers `slot` (filled with
    `value`, by default what they typed)."""
    value = text if value is TYPED else value
    events = [
        {"event": "user", "text": text, "parse_data": {"intent": {"name": intent}, "entities": list(entities)}},
        {"event": "slot", "name": slot, "value": value},
    ]
    return make_tracker(
        text,
        intent,
        entities,
        {**(slots or {}), slot: value},
        active_loop=form,
        requested_slot=slot,
        events=events,
        **kwargs,
    )


def recorded_tracker(name: str) -> Tracker:
    """A tracker recorded from a real conversation (GET /conversations/<id>/tracker)."""
    return Tracker.from_dict(json.loads((FIXTURES / name).read_text(encoding="utf-8")))


def run(action, tracker, domain=None):
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, tracker, domain or DOMAIN))
    return dispatcher.messages, events


def slot_events(events):
    return {event["name"]: event["value"] for event in events if event.get("event") == "slot"}


@pytest.fixture(autouse=True)
def ticket_database(tmp_path, monkeypatch):
    """Each test gets its own SQLite ticket database (a real one, not a mock)."""
    monkeypatch.setenv("CONSEILLER_DATABASE_URL", f"sqlite:///{tmp_path / 'tickets.db'}")
