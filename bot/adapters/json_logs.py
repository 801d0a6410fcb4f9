"""Log records as JSON lines, for a log collector: on when the environment says LOG_FORMAT=json.

One JSON object per line and per record: `time` (ISO 8601, UTC), `level`, `logger`, `message`,
and `exception` (the traceback) when there is one. Contacts are masked as in every log line
(bot.adapters.log_privacy): the formatter masks the record itself, whichever handler calls it.

`install()` gives every handler of the process (the root's, and those of loggers with their
own, such as Sanic's) this formatter, and Python's warnings go through logging too. Both
servers call it at start (ops/rasa_server.py, ops/action_server.py). While `rasa run` starts,
Rasa replaces the root handler (coloured logs: the KeepJson filter it carries over turns the
new one to JSON) and Sanic makes handlers of its own, so the Rasa server calls install() again
once its channels are built and before it serves (bot.adapters.channels.health).
"""

import json
import logging
import os
import sys
from datetime import datetime, timezone
from typing import Iterator

from bot.adapters.log_privacy import ContactMaskingFilter, mask_record

ENVIRONMENT_VARIABLE = "LOG_FORMAT"


def enabled() -> bool:
    return os.environ.get(ENVIRONMENT_VARIABLE, "").strip().lower() == "json"


class JsonFormatter(logging.Formatter):
    """One record, one line of JSON (newlines inside the message or the traceback are escaped)."""

    def format(self, record: logging.LogRecord) -> str:
        mask_record(record)  # idempotent; also fills and masks exc_text from exc_info
        entry = {
            "time": datetime.fromtimestamp(record.created, timezone.utc)
            .isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = record.stack_info
        return json.dumps(entry, ensure_ascii=False, default=str)


class KeepJson(logging.Filter):
    """Put on each handler by install(); lets every record through. A library that replaces a
    root handler and keeps its filters (coloredlogs, which `rasa run` sets up) gets its new
    handler back to JSON before that handler formats its first record."""

    def __init__(self, formatter: JsonFormatter) -> None:
        super().__init__()
        self.formatter = formatter

    def filter(self, record: logging.LogRecord) -> bool:
        for handler in logging.getLogger().handlers:
            if handler.formatter is not self.formatter and self in handler.filters:
                handler.setFormatter(self.formatter)
        return True


_formatter = JsonFormatter()
_keep_json = KeepJson(_formatter)


def _handlers() -> Iterator[logging.Handler]:
    yield from logging.getLogger().handlers
    for logger in list(logging.Logger.manager.loggerDict.values()):
        if isinstance(logger, logging.Logger):
            yield from logger.handlers


def install() -> None:
    """Every handler present writes JSON lines (with the contact masking); a root handler on
    stderr if there is none. Idempotent."""
    root = logging.getLogger()
    if not any(not isinstance(handler, logging.NullHandler) for handler in root.handlers):
        root.addHandler(logging.StreamHandler(sys.stderr))
    for handler in _handlers():
        if isinstance(handler, logging.NullHandler):
            continue
        handler.setFormatter(_formatter)
        for kind, instance in ((ContactMaskingFilter, ContactMaskingFilter()), (KeepJson, _keep_json)):
            if not any(isinstance(existing, kind) for existing in handler.filters):
                handler.addFilter(instance)
    logging.captureWarnings(True)  # a warning is a record too, not a plain line on stderr


def install_if_enabled() -> bool:
    """install() when LOG_FORMAT=json; whether it did."""
    if enabled():
        install()
        return True
    return False
