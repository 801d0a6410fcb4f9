"""No contact details in the logs (SPEC 9): e-mail addresses and French phone numbers are masked
in every log record, its message, its arguments and its traceback, before any handler writes it.

Importing this module installs the masking for the whole process (idempotent): both servers
import it at start, the action server through `actions/__init__.py`, the Rasa server through
`rasa_addons/tracker_store.py`. It works at two levels:
- a `ContactMaskingFilter` on each handler of the root logger present at import time;
- the same masking applied where records are made (logging's record factory), so handlers
  configured later (Rasa and Sanic set up their own at start) and loggers that do not
  propagate to the root write masked records too.
Message texts themselves are not logged by our code at INFO or above; Rasa logs them at DEBUG
only, and a contact typed in one is masked there too.
"""

import logging
import re
from collections.abc import Mapping
from typing import Any

from bot.language.entities import EMAIL_PATTERN

EMAIL_MASK = "[e-mail masqué]"
PHONE_MASK = "[téléphone masqué]"
# The phone pattern of bot.language.entities.mask_contacts (figures only: numbers spelled out in words
# would cost a parse per record and, in log lines, mostly catch counts and times).
PHONE_PATTERN = re.compile(r"(?:\+33|0033|\b0)\s*[1-9](?:[\s.\-]*\d{2}){4}\b")
_MASKED = "_contacts_masked"
_PLAIN = (int, float, bool, type(None))


def mask(text: str) -> str:
    return PHONE_PATTERN.sub(PHONE_MASK, EMAIL_PATTERN.sub(EMAIL_MASK, text))


def _mask_argument(value: Any) -> Any:
    if isinstance(value, str):
        return mask(value)
    if isinstance(value, _PLAIN):
        return value  # keeps %d and %.1f working
    try:
        shown = str(value)
    except Exception:  # logging must never break the code that logs: formatting will report it
        return value
    masked = mask(shown)
    return value if masked == shown else masked


def mask_record(record: logging.LogRecord) -> logging.LogRecord:
    """Masks the record in place (once) and returns it."""
    if getattr(record, _MASKED, False):
        return record
    if isinstance(record.msg, str):
        record.msg = mask(record.msg)
    elif record.msg is not None and not isinstance(record.msg, _PLAIN):
        record.msg = _mask_argument(record.msg)
    if isinstance(record.args, Mapping):
        record.args = {key: _mask_argument(value) for key, value in record.args.items()}
    elif isinstance(record.args, tuple):
        record.args = tuple(_mask_argument(value) for value in record.args)
    if record.exc_info and not record.exc_text:
        record.exc_text = logging.Formatter().formatException(record.exc_info)
    if record.exc_text:
        record.exc_text = mask(record.exc_text)
    if record.stack_info:
        record.stack_info = mask(record.stack_info)
    setattr(record, _MASKED, True)
    return record


class ContactMaskingFilter(logging.Filter):
    """Masks e-mail addresses and French phone numbers; lets every record through."""

    def filter(self, record: logging.LogRecord) -> bool:
        mask_record(record)
        return True


def install() -> None:
    """Masks contacts in every record of the process from now on (idempotent)."""
    root = logging.getLogger()
    for handler in root.handlers:
        if not any(isinstance(existing, ContactMaskingFilter) for existing in handler.filters):
            handler.addFilter(ContactMaskingFilter())
    factory = logging.getLogRecordFactory()
    if getattr(factory, _MASKED, False):
        return

    def masking_factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = factory(*args, **kwargs)
        try:
            return mask_record(record)
        except Exception:  # never break the code that logs; the handlers' filter tries again
            return record

    setattr(masking_factory, _MASKED, True)
    logging.setLogRecordFactory(masking_factory)


install()
