"""Facebook Messenger, at Rasa's path /webhooks/facebook/webhook.

Rasa 3.6's connector checks only the SHA-1 X-Hub-Signature and answers 200 when it fails;
this one requires X-Hub-Signature-256 (HMAC-SHA256 of the raw body with the app secret) and
refuses with 403. Replies go to the Send API with the page access token.
"""

from typing import Any, List, Mapping, Text

from sanic.request import Request

from bot.adapters.channels.messaging import (
    DeliveryRefused,
    Incoming,
    MetaInput,
)
from bot.messaging.platforms import CHANNEL_VARIABLES, Platform

GRAPH_API = "https://graph.facebook.com/v21.0"


class MessengerInput(MetaInput):
    platform = Platform.MESSENGER
    required_variables = CHANNEL_VARIABLES["facebook"]
    app_secret_variable = "MESSENGER_APP_SECRET"
    verify_token_variable = "MESSENGER_VERIFY_TOKEN"

    @classmethod
    def name(cls) -> Text:
        return "facebook"

    @property
    def prefix(self) -> str:
        return "messenger:"

    def incoming(self, request: Request) -> List[Incoming]:
        items: List[Incoming] = []
        for entry in request.json.get("entry") or []:
            for event in entry.get("messaging") or []:
                sender = str(event["sender"]["id"])
                message = event.get("message") or {}
                if message and not message.get("is_echo"):
                    text = (message.get("quick_reply") or {}).get("payload") or message.get("text") or ""
                    items.append(Incoming(str(message["mid"]), sender, str(text)))
                elif event.get("postback"):
                    postback = event["postback"]
                    message_id = postback.get("mid") or f"{sender}:{event.get('timestamp')}"
                    items.append(Incoming(str(message_id), sender, str(postback.get("payload") or "")))
        return items

    async def post(self, body: Mapping[str, Any]) -> None:
        url = f"{self.api_url('MESSENGER_API_URL', GRAPH_API)}/me/messages"
        params = {"access_token": self.settings["MESSENGER_PAGE_ACCESS_TOKEN"]}
        session = await self.session()
        async with session.post(url, json=body, params=params) as answer:
            if answer.status >= 300:
                raise DeliveryRefused("Messenger a refusé ce message. Réessayez dans un instant.")
