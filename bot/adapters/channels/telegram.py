"""Telegram, at Rasa's path /webhooks/telegram/webhook.

Rasa 3.6's connector checks nothing. This one requires the secret token given to Telegram
with setWebhook (header X-Telegram-Bot-Api-Secret-Token), answers the callback query of a
tapped inline button (Telegram shows a spinner until then), and replies with the Bot API.
"""

import hmac
import re
from typing import Any, List, Mapping, Text

from sanic.request import Request

from bot.adapters.channels.messaging import DeliveryRefused, Incoming, MessagingInput
from bot.messaging.platforms import CHANNEL_VARIABLES, Platform
from bot.messaging.render import telegram_method

BOT_API = "https://api.telegram.org"
# What Telegram sends when an owner opens the chat and taps "Start" (or a t.me/<bot>?start=…
# link): "/start", maybe "@<bot name>" and the link's parameter. It means hello.
_START = re.compile(r"/start(?:@(?P<bot>\w+))?(?:\s+\S*)?\s*", re.IGNORECASE)
GREETING = "/greet"


class TelegramInput(MessagingInput):
    platform = Platform.TELEGRAM
    required_variables = CHANNEL_VARIABLES["telegram"]

    @classmethod
    def name(cls) -> Text:
        return "telegram"

    def signature_valid(self, request: Request) -> bool:
        given = request.headers.get("x-telegram-bot-api-secret-token") or ""
        return bool(given) and hmac.compare_digest(given, self.settings["TELEGRAM_SECRET_TOKEN"])

    def incoming(self, request: Request) -> List[Incoming]:
        update = request.json
        update_id = str(update["update_id"])
        if update.get("callback_query"):
            query = update["callback_query"]
            chat = str(query["message"]["chat"]["id"])
            return [Incoming(update_id, chat, str(query.get("data") or ""), {"callback_query_id": query["id"]})]
        message = update.get("message") or update.get("edited_message")
        if message:
            return [Incoming(update_id, str(message["chat"]["id"]), self._command(str(message.get("text") or "")))]
        return []

    def _command(self, text: str) -> str:
        """The owner's words, "/start" (Telegram's first message) read as a greeting."""
        start = _START.fullmatch(text.strip())
        if start and (start["bot"] is None or start["bot"].lower() == self.settings["TELEGRAM_BOT_NAME"].lower()):
            return GREETING
        return text

    async def acknowledge(self, item: Incoming) -> None:
        if item.extra.get("callback_query_id"):
            await self._call("answerCallbackQuery", {"callback_query_id": item.extra["callback_query_id"]})

    async def post(self, body: Mapping[str, Any]) -> None:
        await self._call(telegram_method(body), body)

    async def _call(self, method: str, body: Mapping[str, Any]) -> None:
        url = f"{self.api_url('TELEGRAM_API_URL', BOT_API)}/bot{self.settings['TELEGRAM_BOT_TOKEN']}/{method}"
        session = await self.session()
        async with session.post(url, json=body) as answer:
            if answer.status >= 300:
                raise DeliveryRefused("Telegram a refusé ce message. Réessayez dans un instant.")
