"""Rasa's hot spots, made cheap: the same replies accepted and refused, the same event classes."""

import asyncio
import json
import random

import pytest
from aiohttp import web
from jsonschema import ValidationError, validate
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.events import (
    ActionExecuted,
    ActionExecutionRejected,
    ActionReverted,
    ActiveLoop,
    BotUttered,
    Event,
    Restarted,
    SessionStarted,
    SlotSet,
    UserUtteranceReverted,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from rasa_addons import speedups

REPLIES = [
    {"events": [], "responses": []},
    {"events": [{"event": "slot", "name": "sector", "value": "crafts"}], "responses": [{"text": "Merci !"}]},
    {"events": [{"event": "followup", "name": "action_listen"}], "responses": [{"custom": {"type": "card"}}]},
    {"events": [{"name": "sector"}], "responses": []},  # an event without its type
    {"events": "not a list", "responses": []},
    {"events": [{"event": "slot", "name": "sector", "value": "crafts"}], "responses": "Merci"},
]


@pytest.mark.parametrize("reply", REPLIES)
def test_accepts_and_refuses_exactly_what_rasa_does(reply):
    action = RemoteAction("action_results", None)
    try:
        validate(reply, RemoteAction.action_response_format_spec())
        rasa_accepts = True
    except ValidationError:
        rasa_accepts = False
    if rasa_accepts:
        assert speedups.validate_action_result(action, reply) is True
    else:
        with pytest.raises(ValidationError, match="Failed to validate Action server response"):
            speedups.validate_action_result(action, reply)


@pytest.mark.parametrize(
    "type_name", ["user", "bot", "slot", "action", "active_loop", "pause", "resume", "restart", "session_started"]
)
def test_an_event_type_resolves_to_the_class_rasa_finds(type_name):
    assert speedups.resolve_event_type(type_name) is speedups.RASA_RESOLVE_BY_TYPE(type_name)


def test_an_unknown_event_type_behaves_as_in_rasa():
    assert speedups.resolve_event_type("topic") is None
    assert speedups.resolve_event_type("no_such_event", default=Event) is Event
    with pytest.raises(ValueError, match="Unknown event name"):
        speedups.resolve_event_type("no_such_event")


def test_installed_unless_the_baseline_asks_for_rasas_own(monkeypatch):
    original, original_resolve = RemoteAction._validate_action_result, Event.resolve_by_type
    try:
        monkeypatch.setenv(speedups.ENVIRONMENT_SWITCH, "0")
        assert speedups.install() is False
        assert RemoteAction._validate_action_result is original
        monkeypatch.delenv(speedups.ENVIRONMENT_SWITCH)
        assert speedups.install() is True
        assert RemoteAction._validate_action_result is speedups.validate_action_result
        assert Event.resolve_by_type("slot").type_name == "slot"
    finally:
        RemoteAction._validate_action_result = original
        Event.resolve_by_type = staticmethod(original_resolve)


STATE = {
    "sender_id": "owner-1",
    "slots": {"sector": "crafts", "headcount": 3, "score": 57.5, "email": None},
    "latest_message": {"text": "Je gère une boulangerie à Nantes, ça marche bien", "intent": {"confidence": 0.9375}},
    "events": [{"event": "bot", "text": "Très bien ! « Où en êtes-vous » ?", "data": {"buttons": [{"payload": "/x"}]}}],
}


@pytest.mark.parametrize("value", [STATE, [1, 2.5, "é", None, True], {1: "a key that is not a string"}, 2**70])
def test_fast_json_writes_the_same_document(value):
    assert json.loads(speedups.fast_json(value)) == json.loads(json.dumps(value))


def test_action_calls_carry_the_same_body_and_rasas_headers(monkeypatch):
    """Through Rasa's own EndpointConfig.request, as a custom action call is sent."""
    received = {}

    async def webhook(request: web.Request) -> web.Response:
        received["headers"], received["query"] = request.headers, dict(request.query)
        received["body"] = await request.json()
        return web.json_response({"events": [], "responses": []})

    async def call() -> object:
        app = web.Application()
        app.router.add_post("/webhook", webhook)
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]
        try:
            endpoint = EndpointConfig(
                url=f"http://127.0.0.1:{port}/webhook",
                headers={"Authorization": "Bearer s3cret"},
                token="t0ken",
            )
            return await endpoint.request(method="post", json=STATE)
        finally:
            await runner.cleanup()

    original_session = EndpointConfig.session
    monkeypatch.delenv(speedups.ENVIRONMENT_SWITCH, raising=False)
    try:
        assert speedups.install() is True
        assert EndpointConfig.session is speedups.endpoint_session
        reply = asyncio.run(call())
    finally:
        EndpointConfig.session = original_session
    assert reply == {"events": [], "responses": []}
    assert received["body"] == STATE
    assert received["headers"]["Content-Type"] == "application/json"
    assert received["headers"]["Authorization"] == "Bearer s3cret"
    assert received["query"] == {"token": "t0ken"}


def random_events(seed: int, length: int) -> list:
    """Conversations with forms run, rejected and left, rewinds, restarts and new sessions."""
    chooser = random.Random(seed)
    forms = ["diagnostic_form", "handoff_form"]
    makers = [
        lambda: UserUttered("oui", intent={"name": "affirm", "confidence": 1.0}),
        lambda: ActionExecuted("action_listen"),
        lambda: ActionExecuted(chooser.choice(forms)),
        lambda: ActionExecuted(chooser.choice(forms)),
        lambda: ActiveLoop(chooser.choice(forms + [None])),
        lambda: ActionExecutionRejected(chooser.choice(forms)),
        lambda: ActionExecuted("utter_greet"),
        lambda: BotUttered("Bonjour !"),
        lambda: SlotSet("requested_slot", "sector"),
        lambda: UserUtteranceReverted(),
        lambda: ActionReverted(),
        lambda: Restarted(),
        lambda: SessionStarted(),
    ]
    weights = [8, 8, 6, 6, 3, 2, 4, 4, 3, 1, 1, 0.5, 0.5]
    return [chooser.choices(makers, weights)[0]() for _ in range(length)]


@pytest.mark.parametrize("seed", range(40))
def test_applied_events_are_rasas_after_every_event(seed):
    tracker = DialogueStateTracker("owner", slots=[])
    for event in random_events(seed, 120):
        tracker.update(event)
        assert speedups.applied_events(tracker) == speedups.RASA_APPLIED_EVENTS(tracker)


def test_applied_events_are_worked_out_again_when_events_are_replaced():
    tracker = DialogueStateTracker("owner", slots=[])
    for event in random_events(7, 60):
        tracker.update(event)
    speedups.applied_events(tracker)
    tracker.events.pop()  # removed, then another appended: same length, another last event
    tracker.events.append(ActionExecuted("utter_goodbye"))
    assert speedups.applied_events(tracker) == speedups.RASA_APPLIED_EVENTS(tracker)
    tracker._reset()  # a new deque
    for event in random_events(8, 30):
        tracker.update(event)
    assert speedups.applied_events(tracker) == speedups.RASA_APPLIED_EVENTS(tracker)
