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

Installed by `install()`, which the Rasa server launcher (ops/rasa_server.py) calls before
Rasa starts; CONSEILLER_RASA_SPEEDUPS=0 keeps Rasa's own (the benchmark's vanilla baseline).
"""

from __future__ import annotations

import functools
import os
from typing import Any, Dict, Optional, Text, Type

from jsonschema import ValidationError
from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL
from rasa.shared.core.events import Event
from rasa.shared.utils.common import all_subclasses

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


def install() -> bool:
    """Replaces Rasa's two hot spots (unless CONSEILLER_RASA_SPEEDUPS=0); True when installed."""
    if os.environ.get(ENVIRONMENT_SWITCH, "1") == "0":
        return False
    RemoteAction._validate_action_result = validate_action_result
    Event.resolve_by_type = staticmethod(resolve_event_type)  # type: ignore[method-assign]
    return True
