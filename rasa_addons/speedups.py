"""Two hot spots of Rasa 3.6's handling of a message, made cheap with the same results.

Both were found by profiling the Rasa server under load (py-spy, 20 owners doing diagnostics
through REST); `make bench` measures the whole (docs/performance.md).

1. The action server's replies are checked against Rasa's schema with a validator built once.
Rasa 3.6 (`RemoteAction._validate_action_result`) calls `jsonschema.validate` on every
reply of the action server, and that function first checks the schema itself against the
JSON Schema meta-schema, then builds a new validator. Profiled under load (py-spy, 20 owners
doing diagnostics), that was about 60 % of the Rasa server's CPU per message, for a schema
that never changes. The same check with one validator, built and its schema checked once,
accepts and refuses exactly the same replies, with the same error.

2. An event's class is found by its type name in a table. Rasa 3.6 (`Event.resolve_by_type`)
walks every subclass of Event, recursively, for each event it reads: for every event of the
conversation at every message, when the tracker store reads it back. About 8 % of what was
left.

3. The tracker sent to the action server is encoded with orjson. Rasa sends the whole tracker
(every event of the conversation, the bot's buttons included) with each call of a custom
action, several times per message, and aiohttp encodes it with the standard library: about
12 % of the Rasa server's CPU per message at the end of a diagnostic. orjson writes the same
JSON document about ten times faster; a value it cannot encode (a key that is not a string,
an integer beyond 64 bits) goes to the standard library as before.

4. A tracker's applied events are worked out once per event added, not at every call.
`DialogueStateTracker.applied_events` walks every event of the conversation, and for every
execution of a form walks back through the events applied so far: it is called many times per
message (each policy's prediction, each action call, the session check), about 15 % of the
Rasa server's CPU per message at the end of a diagnostic. The tracker now keeps the result
with the events it was worked out from and, when events were only appended since, applies the
same steps to the new ones. A new form name among them (it changes how earlier events are
read), or events removed or replaced, and it works the whole list out again, as Rasa does.

5. What a Rasa server built to start is left out of the garbage collector's full passes.
Loading Rasa, TensorFlow and the model leaves more than half a million objects that live as long
as the process; every full pass of Python's collector walked them all again, 200 to 350 ms with
the event loop stopped, at whatever message came then (measured as deployed: messages of 330 to
350 ms where the others took 40). Once the model is loaded they are collected once and frozen
(`gc.freeze`): later passes look only at what conversations create. Until then the launcher
keeps the collector off (its passes while Rasa imports and loads found next to nothing to free:
about a second of each start). A model loaded later (PUT /model) is not frozen.

Installed by `install()`, which the Rasa server launcher (ops/rasa_server.py) calls before
Rasa starts; CONSEILLER_RASA_SPEEDUPS=0 keeps Rasa's own (the benchmark's vanilla baseline).
"""

from __future__ import annotations

import functools
import gc
import itertools
import json
import os
from dataclasses import dataclass
from typing import Any, Collection, Deque, Dict, Iterable, List, Optional, Set, Text, Type

import aiohttp
import orjson
import rasa.core.run
from jsonschema import ValidationError
from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL
from rasa.shared.core.events import (
    ActionExecuted,
    ActionReverted,
    ActiveLoop,
    Event,
    Restarted,
    SessionStarted,
    UserUtteranceReverted,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.utils.common import all_subclasses
from rasa.utils.endpoints import DEFAULT_REQUEST_TIMEOUT, EndpointConfig

ENVIRONMENT_SWITCH = "CONSEILLER_RASA_SPEEDUPS"


@functools.lru_cache(maxsize=1)
def response_validator() -> Any:
    schema = RemoteAction.action_response_format_spec()
    validator_class = validator_for(schema)
    validator_class.check_schema(schema)
    return validator_class(schema)


def validate_action_result(self: RemoteAction, result: Dict[Text, Any]) -> bool:
    try:
        response_validator().validate(result)
        return True
    except ValidationError as error:
        # Rasa's own wording, so that a deployer's logs read the same.
        error.message += (
            f". Failed to validate Action server response from API, "
            f"make sure your response from the Action endpoint is valid. "
            f"For more information about the format visit "
            f"{DOCS_BASE_URL}/custom-actions"
        )
        raise error


RASA_RESOLVE_BY_TYPE = Event.resolve_by_type
_event_classes: Dict[str, Type[Event]] = {}


def resolve_event_type(type_name: Text, default: Optional[Type[Event]] = None) -> Optional[Type[Event]]:
    """Rasa's `Event.resolve_by_type`, from a table of the event classes by type name. The
    table is rebuilt when a name is missing (an event class imported since); a name that no
    class has is left to Rasa's own (its default, its "topic" case, its error)."""
    found = _event_classes.get(type_name)
    if found is None:
        _event_classes.clear()
        for event_class in all_subclasses(Event):
            _event_classes.setdefault(event_class.type_name, event_class)  # the first, as Rasa's loop
        found = _event_classes.get(type_name)
    return found if found is not None else RASA_RESOLVE_BY_TYPE(type_name, default)


def fast_json(value: Any) -> str:
    """The JSON document of `value`, by orjson, or by the standard library when orjson refuses it."""
    try:
        return orjson.dumps(value).decode("utf-8")
    except TypeError:
        return json.dumps(value)


def endpoint_session(self: EndpointConfig) -> aiohttp.ClientSession:
    """Rasa's `EndpointConfig.session` (same headers, authentication and timeout), encoding
    request bodies with `fast_json`."""
    auth = aiohttp.BasicAuth(self.basic_auth["username"], self.basic_auth["password"]) if self.basic_auth else None
    return aiohttp.ClientSession(
        headers=self.headers,
        auth=auth,
        timeout=aiohttp.ClientTimeout(total=DEFAULT_REQUEST_TIMEOUT),
        json_serialize=fast_json,
    )


RASA_APPLIED_EVENTS = DialogueStateTracker.applied_events


@dataclass
class AppliedEvents:
    """What `applied_events` worked out, and from which events."""

    events: Deque[Event]  # the tracker's deque, the very object
    count: int
    last: Optional[Event]
    loop_names: Set[str]
    applied: List[Event]


def _apply(
    tracker: DialogueStateTracker, events: Iterable[Event], applied: List[Event], loop_names: Collection[str]
) -> List[Event]:
    """The loop of Rasa 3.6's `DialogueStateTracker.applied_events`, continued from `applied`."""
    for event in events:
        if isinstance(event, (Restarted, SessionStarted)):
            applied = []
        elif isinstance(event, ActionReverted):
            tracker._undo_till_previous(ActionExecuted, applied)
        elif isinstance(event, UserUtteranceReverted):
            tracker._undo_till_previous(UserUttered, applied)
            tracker._undo_till_previous(ActionExecuted, applied)
        elif (
            isinstance(event, ActionExecuted)
            and event.action_name in loop_names
            and not tracker._first_loop_execution_or_unhappy_path(event.action_name, applied)
        ):
            tracker._undo_till_previous_loop_execution(event.action_name, applied)
        else:
            applied.append(event)
    return applied


def applied_events(self: DialogueStateTracker) -> List[Event]:
    """Rasa's `applied_events`, continued from its last result when events were only appended."""
    events = self.events
    count = len(events)
    known: Optional[AppliedEvents] = self.__dict__.get("_applied_events")
    if (
        known is not None
        and known.events is events
        and events.maxlen is None
        and known.count <= count
        and (known.last is None if known.count == 0 else events[known.count - 1] is known.last)
    ):
        added = list(itertools.islice(events, known.count, None))
        if not any(
            isinstance(event, ActiveLoop) and event.name and event.name not in known.loop_names for event in added
        ):
            known.applied = _apply(self, added, known.applied, known.loop_names)
            known.count, known.last = count, (events[-1] if count else None)
            return list(known.applied)
    loop_names = {event.name for event in events if isinstance(event, ActiveLoop) and event.name}
    applied = _apply(self, events, [], loop_names)
    self.__dict__["_applied_events"] = AppliedEvents(events, count, events[-1] if count else None, loop_names, applied)
    return list(applied)


_rasa_load_agent_on_start = rasa.core.run.load_agent_on_start


async def load_agent_then_freeze(*args: Any, **kwargs: Any) -> Any:
    """Rasa's `load_agent_on_start`, then what the start built is frozen out of full passes."""
    try:
        return await _rasa_load_agent_on_start(*args, **kwargs)
    finally:
        gc.collect()
        gc.freeze()
        gc.enable()  # the launcher (ops/rasa_server.py) turns it off while Rasa starts


def install() -> bool:
    """Replaces Rasa's hot spots (unless CONSEILLER_RASA_SPEEDUPS=0); True when installed."""
    if os.environ.get(ENVIRONMENT_SWITCH, "1") == "0":
        return False
    RemoteAction._validate_action_result = validate_action_result
    Event.resolve_by_type = staticmethod(resolve_event_type)  # type: ignore[method-assign]
    EndpointConfig.session = endpoint_session  # type: ignore[method-assign]
    DialogueStateTracker.applied_events = applied_events  # type: ignore[method-assign]
    rasa.core.run.load_agent_on_start = load_agent_then_freeze  # type: ignore[assignment]
    return True
