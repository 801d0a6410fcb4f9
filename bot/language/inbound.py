"""What an owner's message must be before it reaches the assistant's understanding.

Every channel passes each incoming message through `check_message`: characters no person
types are removed (NUL and other controls, lone surrogates, invisible direction marks), an
empty or over-long message is answered at once with a French reply (nothing of it is read),
and a button payload ("/intent{...}") keeps only a known intent and the entity values the
contract allows (bot/language/entity_contract.py), whoever forged it.
"""

import json
import re
import unicodedata
from dataclasses import dataclass
from typing import Collection, Optional

from bot.language.entity_contract import contract_value
from bot.messages import message

# A button payload carries at most a couple of entities; more is a forgery.
MAX_PAYLOAD_ENTITIES = 4
# Intents a payload may not name: Rasa's own (restarting a session, going back) and the
# retrieval intents, which need a response key that only the NLU provides.
INTERNAL_INTENTS = frozenset({"session_start", "back", "nlu_fallback", "faq", "objection"})

# C0 and C1 control characters (but tab and line breaks), lone UTF-16 surrogates.
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]|[\ud800-\udfff]")
# Zero-width characters, direction marks and overrides, the byte-order mark: invisible.
_INVISIBLE = re.compile(r"[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")
_PAYLOAD = re.compile(r"/([A-Za-z_]+)(\{.*\})?", re.DOTALL)


@dataclass(frozen=True)
class Inbound:
    """`text` goes on to the assistant; when it is None, `reply` is sent instead."""

    text: Optional[str]
    reply: Optional[str] = None
    reason: str = "ok"


def reply(key: str, max_chars: int = 0) -> str:
    """The door's reply `key` (empty, too_long, too_fast, technical_fault) from the messages file."""
    if key == "too_long":
        return message("door.too_long", max_chars=f"{max_chars:,}".replace(",", "\u202f"))
    return message(f"door.{key}")


def clean_text(raw: object) -> str:
    """The message without characters no one types, in composed form, trimmed."""
    if not isinstance(raw, str):
        return ""
    text = _INVISIBLE.sub("", _CONTROLS.sub(" ", raw))
    return unicodedata.normalize("NFC", text).strip()


def check_message(raw: object, allowed_intents: Collection[str], max_chars: int) -> Inbound:
    # The length is checked on the raw text first: cleaning 10 MB is work already.
    if isinstance(raw, str) and len(raw) > 4 * max_chars:
        return Inbound(None, reply("too_long", max_chars), "too_long")
    text = clean_text(raw)
    if len(text) > max_chars:
        return Inbound(None, reply("too_long", max_chars), "too_long")
    if text.startswith("/"):
        text = sanitize_payload(text, allowed_intents)
    if not text:
        return Inbound(None, reply("empty"), "empty")
    return Inbound(text)


def sanitize_payload(text: str, allowed_intents: Collection[str]) -> str:
    """A payload naming a known intent, with only the entities the contract allows.

    Anything else that starts with "/" is read as words, like any typed message."""
    match = _PAYLOAD.fullmatch(text)
    intent = match.group(1) if match else None
    if match is None or intent not in allowed_intents or intent in INTERNAL_INTENTS:
        return text.lstrip("/ ").replace("_", " ").strip()
    entities = {}
    try:
        given = json.loads(match.group(2)) if match.group(2) else {}
    except ValueError:
        given = {}
    if isinstance(given, dict) and len(given) <= MAX_PAYLOAD_ENTITIES:
        for entity, value in given.items():
            valid = contract_value(str(entity), value)
            if valid is not None:
                entities[entity] = valid
    return f"/{intent}" + (json.dumps(entities, ensure_ascii=False) if entities else "")
