"""WhatsApp Business through Meta's Cloud API (Rasa ships no connector for it).

Webhook: POST /webhooks/whatsapp/webhook, signed with X-Hub-Signature-256 (HMAC-SHA256 of the
raw body with the app secret); GET on the same path answers Meta's verification handshake.
Replies go to the Graph API's /<phone number id>/messages with the access token.
"""

import logging
from typing import Any, List, Mapping, Text

from sanic.request import Request

from bot.adapters.channels.messaging import (
    DeliveryRefused,
    Incoming,
    MetaInput,
)
from bot.messaging.platforms import CHANNEL_VARIABLES, Platform

logger = logging.getLogger(__name__)

GRAPH_API = "https://graph.facebook.com/v21.0"
# Meta's error when a free-form message is sent more than 24 hours after the owner's last
# message ("Re-engagement message"): only an approved template may be sent then.
OUTSIDE_WINDOW = 131047


class WhatsAppInput(MetaInput):
    platform = Platform.WHATSAPP
    required_variables = CHANNEL_VARIABLES["whatsapp"]
    app_secret_variable = "WHATSAPP_APP_SECRET"
    verify_token_variable = "WHATSAPP_VERIFY_TOKEN"

    @classmethod
    def name(cls) -> Text:
        return "whatsapp"

    def incoming(self, request: Request) -> List[Incoming]:
        body = request.json
        items: List[Incoming] = []
        for entry in body.get("entry") or []:
            for change in entry.get("changes") or []:
                for message in (change.get("value") or {}).get("messages") or []:
                    items.append(Incoming(str(message["id"]), str(message["from"]), _text_of(message)))
        return items

    async def post(self, body: Mapping[str, Any]) -> None:
        url = f"{self.api_url('WHATSAPP_API_URL', GRAPH_API)}/{self.settings['WHATSAPP_PHONE_NUMBER_ID']}/messages"
        headers = {"Authorization": f"Bearer {self.settings['WHATSAPP_ACCESS_TOKEN']}"}
        session = await self.session()
        async with session.post(url, json=body, headers=headers) as answer:
            if answer.status < 300:
                return
            error = ((await answer.json(content_type=None)) or {}).get("error") or {}
        if error.get("code") == OUTSIDE_WINDOW:
            raise DeliveryRefused(
                "WhatsApp refuse ce message : le client n'a pas écrit depuis plus de 24 heures. "
                "Contactez-le par e-mail ou par téléphone, ou attendez qu'il vous réécrive."
            )
        logger.error("whatsapp: message refused by the API (HTTP %s, code %s)", answer.status, error.get("code"))
        raise DeliveryRefused("WhatsApp a refusé ce message. Réessayez dans un instant.")


def _text_of(message: Mapping[str, Any]) -> str:
    """What the owner typed or tapped; other kinds (photo, voice note) arrive empty, and the
    door answers them in French."""
    kind = message.get("type")
    if kind == "text":
        return str((message.get("text") or {}).get("body") or "")
    if kind == "interactive":
        interactive = message.get("interactive") or {}
        reply = interactive.get("button_reply") or interactive.get("list_reply") or {}
        return str(reply.get("id") or "")
    if kind == "button":  # a template's quick reply
        return str((message.get("button") or {}).get("payload") or "")
    return ""
