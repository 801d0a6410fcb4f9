"""Rasa's hot spots, made cheap: the same replies accepted and refused, the same event classes."""

import pytest
from jsonschema import ValidationError, validate
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.events import Event

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
