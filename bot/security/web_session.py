"""Widget sessions issued and signed by the server.

The widget's conversation id is chosen by the server, never by the browser, and reaches the
browser only as a signed token: "web-<128 random bits>.<HMAC-SHA256>". History, messages and
erasure all require a token that verifies, so knowing a conversation's id is not enough to
read or continue it, and no client can pick another channel's id (the "web-" prefix is
reserved to the widget; the REST channel refuses it).
"""

import base64
import hashlib
import hmac
import re
import secrets
from typing import Optional, Tuple

WIDGET_PREFIX = "web-"
_SENDER = re.compile(r"web-[0-9a-f]{32}")


def _signature(sender_id: str, secret: bytes) -> str:
    digest = hmac.new(secret, sender_id.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def new_session(secret: bytes) -> Tuple[str, str]:
    """A new conversation: (sender id, the token the browser keeps)."""
    sender_id = WIDGET_PREFIX + secrets.token_hex(16)
    return sender_id, f"{sender_id}.{_signature(sender_id, secret)}"


def sender_of(token: object, secret: bytes) -> Optional[str]:
    """The conversation a token opens, or None for anything forged, altered or malformed."""
    if not isinstance(token, str) or len(token) > 100 or "." not in token:
        return None
    sender_id, signature = token.split(".", 1)
    if not _SENDER.fullmatch(sender_id):
        return None
    return sender_id if hmac.compare_digest(signature, _signature(sender_id, secret)) else None
