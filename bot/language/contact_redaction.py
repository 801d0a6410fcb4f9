"""Contact details are kept only with the owner's consent (SPEC 9).

An e-mail address or phone number typed outside the handover (or before consenting, or
followed by a refusal) is stored masked: `redact_event` rewrites one stored conversation
event, whatever its kind, without them.
"""

from typing import Any, Dict, Optional

from bot.language.entities import EMAIL_WORD, PHONE_WORD, mask_contacts

MASKED_EMAIL = "[e-mail masqué]"
MASKED_PHONE = "[téléphone masqué]"
CONTACT_SLOTS = ("email", "phone", "contact")
HANDOFF_FORM = "handoff_form"


def redact_text(text: str) -> str:
    if "@" not in text and not any(char.isdigit() for char in text) and not _may_spell_numbers(text):
        return text  # the common case, without running the patterns
    masked = mask_contacts(text)
    if masked == text:
        return text
    return masked.replace(EMAIL_WORD, MASKED_EMAIL).replace(PHONE_WORD, MASKED_PHONE)


def _may_spell_numbers(text: str) -> bool:
    lowered = text.lower()
    return "zero" in lowered or "zéro" in lowered


def has_contact(text: Optional[str]) -> bool:
    return bool(text and redact_text(text) != text)


def redact_event(event: Dict[str, Any]) -> Dict[str, Any]:
    """The event with every contact detail masked; contact slots emptied."""
    if event.get("event") == "slot" and event.get("name") in CONTACT_SLOTS and event.get("value") is not None:
        return {**event, "value": None}
    return {key: _redact(item) for key, item in event.items()}


def _redact(value: Any) -> Any:
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, dict):
        return {key: _redact(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_redact(item) for item in value]
    return value


def contacts_may_be_kept(consent: Any, active_form: Optional[str]) -> bool:
    """Given with consent, or during the handover, where the owner is asked for consent."""
    return consent is True or active_form == HANDOFF_FORM
