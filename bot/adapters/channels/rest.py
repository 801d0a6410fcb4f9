"""Rasa's REST channel, unchanged for its callers, behind the door of bot/adapters/channels/gate.py
and with live takeover: while an advisor holds the conversation, the owner's messages go to
the advisor and the bot stays silent.

What Rasa's own REST channel lets a client do, and this one does not: choose the input
channel recorded with the message (it is always "rest"), continue a widget conversation
(ids starting "web-" belong to the widget), crash the handler with a body that is not a JSON
object (a French 400 instead of a 500). With REST_CHANNEL_TOKEN set (production), every
request needs "Authorization: Bearer <token>".
"""

import hmac
import json
import os
from typing import Any, Awaitable, Callable, Optional, Text

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.adapters.channels.gate import gate, valid_sender_id
from bot.adapters.channels.live import hub, takeover_aware
from bot.language.inbound import reply
from bot.security.web_session import WIDGET_PREFIX

MAX_METADATA_BYTES = 2048
BAD_REQUEST = (
    'Requête invalide : envoyez un objet JSON {"sender": "…", "message": "…"}, '
    "avec un identifiant de 1 à 128 lettres, chiffres ou « . : @ + - _ »."
)


def client_address(request: Request) -> str:
    """The client's address: the proxy's forwarded one only where Sanic is told to trust it."""
    return request.remote_addr or request.ip or "unknown"


def refusal(request: Request) -> Optional[HTTPResponse]:
    """Why this REST request may not go on, as a French answer; None when it may."""
    token = os.environ.get("REST_CHANNEL_TOKEN")
    if token and not hmac.compare_digest(request.headers.get("authorization", ""), f"Bearer {token}"):
        return response.json({"error": "Jeton d'accès manquant ou invalide."}, status=401)
    try:
        body = request.json
    except Exception:  # noqa: BLE001 (Sanic refuses malformed JSON with an exception)
        body = None
    if not isinstance(body, dict) or not valid_sender_id(body.get("sender")):
        return response.json({"error": BAD_REQUEST}, status=400)
    message, metadata = body.get("message"), body.get("metadata")
    if not isinstance(message, str) or (metadata is not None and not isinstance(metadata, dict)):
        return response.json({"error": BAD_REQUEST}, status=400)
    if metadata and len(json.dumps(metadata, default=str)) > MAX_METADATA_BYTES:
        return response.json({"error": "Les métadonnées du message sont trop volumineuses."}, status=413)
    if body["sender"].startswith(WIDGET_PREFIX):
        return response.json(
            {"error": "Cet identifiant appartient à une conversation du site : choisissez-en un autre."}, status=403
        )
    if not gate.address_allowed(client_address(request)):
        return response.json(
            [{"recipient_id": body["sender"], "text": reply("too_fast")}], status=429, headers={"Retry-After": "60"}
        )
    return None


class RestWithTakeoverInput(RestInput):
    @classmethod
    def name(cls) -> Text:
        return "rest"

    def _extract_input_channel(self, req: Request) -> Text:
        return self.name()  # never what the client claims

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        blueprint = super().blueprint(gate.guard(takeover_aware(on_new_message)))
        hub.remember_app(blueprint)

        @blueprint.middleware("request")
        async def check(request: Request) -> Optional[HTTPResponse]:
            if request.method == "POST" and request.path.rstrip("/").endswith("/webhook"):
                return refusal(request)
            return None

        return blueprint
