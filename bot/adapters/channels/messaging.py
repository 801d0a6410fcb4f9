"""What the messaging platforms' channels share (WhatsApp, Messenger, Telegram, Twilio).

Each platform's channel says how to check a request's signature, how to read the messages of
a webhook and how to call the platform's API; everything else is here, once:

- A channel is on when its environment variables are set; otherwise its webhook answers 404.
- A request whose signature does not check is refused with 403 and logged, never read.
- The webhook answers 200 at once and handles the messages afterwards: platforms retry a
  delivery whose answer is slow, and a retried delivery (same platform message id, even on
  another server or after a restart) is not answered twice (bot/adapters/deliveries.py).
- "2", "le 2" or an option's words answer the choices the assistant offered last
  (bot/messaging/choices.py), read from the conversation itself.
- Each message then goes through the door (gate.py) and live takeover, like the widget's.
- The assistant's messages are drawn for the platform by bot/messaging/render.py.
"""

import asyncio
import hashlib
import hmac
import logging
import os
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable, Dict, List, Mapping, Optional, Sequence, Text

import aiohttp
from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.shared.core.events import BotUttered, UserUttered
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.adapters.channels.gate import gate
from bot.adapters.channels.live import hub, takeover_aware
from bot.adapters.deliveries import first_delivery
from bot.language.inbound import reply
from bot.messaging.choices import read_choice
from bot.messaging.platforms import Platform
from bot.messaging.render import SCORE_CARD, render, render_turn

logger = logging.getLogger(__name__)

# The platforms' own API addresses, which tests replace with local stand-ins.
API_TIMEOUT = aiohttp.ClientTimeout(total=15)


class DeliveryRefused(Exception):
    """The platform refused a message; `reason` is for the advisor, in French."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Incoming:
    """One owner's message as a platform delivers it."""

    message_id: str
    user: str  # the platform's id of the owner: WhatsApp number, Telegram chat, page-scoped id…
    text: str  # what was typed, or the tapped button's key
    extra: Mapping[str, Any] = field(default_factory=dict)  # what the channel needs to acknowledge it


def meta_signature_valid(secret: str, body: bytes, header: Optional[str]) -> bool:
    """Meta's X-Hub-Signature-256: "sha256=" and the HMAC-SHA256 of the raw body."""
    if not secret or not header or not header.startswith("sha256="):
        return False
    expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, header[len("sha256=") :])


def meta_handshake(request: Request, verify_token: str) -> HTTPResponse:
    """Meta's GET verification: echo hub.challenge when hub.verify_token is ours."""
    args = request.args
    if (
        verify_token
        and args.get("hub.mode") == "subscribe"
        and hmac.compare_digest(args.get("hub.verify_token") or "", verify_token)
    ):
        return response.text(args.get("hub.challenge") or "")
    logger.warning("%s: webhook verification refused (wrong verify token)", request.path)
    return response.text("Jeton de vérification invalide.", status=403)


class MessagingInput(InputChannel):
    """A messaging platform's webhook, at /webhooks/<name>/webhook (Rasa's paths)."""

    platform: Platform
    required_variables: Sequence[str] = ()

    def __init__(self) -> None:
        self.settings = {name: os.environ.get(name, "") for name in self.required_variables}
        self._session: Optional[aiohttp.ClientSession] = None

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "MessagingInput":
        return cls()  # configuration is the environment only

    @property
    def configured(self) -> bool:
        return all(self.settings.values())

    @property
    def prefix(self) -> str:
        return f"{self.name()}:"

    # What each platform says ------------------------------------------------------

    def signature_valid(self, request: Request) -> bool:
        raise NotImplementedError

    def incoming(self, request: Request) -> List[Incoming]:
        """The owners' messages of a verified request (status updates and echoes left out)."""
        raise NotImplementedError

    def handshake(self, request: Request) -> HTTPResponse:
        return response.text("", status=405)

    def accepted(self) -> HTTPResponse:
        return response.text("")

    async def post(self, body: Mapping[str, Any]) -> None:
        """Sends one rendered body through the platform's API; DeliveryRefused if refused."""
        raise NotImplementedError

    async def acknowledge(self, item: Incoming) -> None:
        """Tells the platform a tapped button was handled (Telegram's spinner)."""

    @property
    def sender(self) -> Optional[str]:
        """The number messages are sent from, where the platform's API asks for it (SMS)."""
        return None

    def api_url(self, variable: str, default: str) -> str:
        return (os.environ.get(variable) or default).rstrip("/")

    async def session(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=API_TIMEOUT)
        return self._session

    # Shared -------------------------------------------------------------------------

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        handler = gate.guard(takeover_aware(on_new_message))
        hub.register_messaging(self)
        blueprint = Blueprint(f"{self.name()}_webhook", __name__)

        @blueprint.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok" if self.configured else "off"})

        @blueprint.route("/webhook", methods=["GET"])
        async def verify(request: Request) -> HTTPResponse:
            if not self.configured:
                return response.text("Canal non configuré.", status=404)
            return self.handshake(request)

        @blueprint.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            if not self.configured:
                return response.text("Canal non configuré.", status=404)
            if not self.signature_valid(request):
                logger.warning("%s: webhook refused, signature missing or wrong", self.name())
                return response.text("Signature invalide.", status=403)
            try:
                items = self.incoming(request)
            except (ValueError, KeyError, TypeError, AttributeError):
                logger.warning("%s: signed webhook body in an unknown format", self.name())
                return response.text("Format inconnu.", status=400)
            for item in items:
                request.app.add_task(self.handle(item, handler))
            return self.accepted()

        return blueprint

    async def handle(self, item: Incoming, handler: Callable[[UserMessage], Awaitable[Any]]) -> None:
        try:
            if not await asyncio.to_thread(first_delivery, self.name(), item.message_id):
                logger.info("%s: delivery %s seen before, not answered again", self.name(), item.message_id)
                return
            await self.acknowledge(item)
            sender_id = self.prefix + item.user
            text = await self.chosen(sender_id, item)
            output = MessagingOutput(self, item.user)
            await handler(UserMessage(text, output, sender_id, input_channel=self.name()))
        except Exception as error:  # noqa: BLE001 (a background task: log, and the owner hears back)
            logger.error("%s: handling a delivery failed: %s", self.name(), type(error).__name__)
            try:
                await MessagingOutput(self, item.user).send_text_message(item.user, reply("technical_fault"))
            except Exception as failure:  # noqa: BLE001 (the platform itself is unreachable)
                logger.error("%s: the apology could not be sent either: %s", self.name(), type(failure).__name__)

    async def chosen(self, sender_id: str, item: Incoming) -> str:
        """The payload of the option the owner chose, or their words unchanged."""
        agent = hub.agent
        if agent is None or agent.tracker_store is None:
            return item.text
        # Under the conversation's lock: a reply that comes while the previous turn is still
        # being handled (its question sent, the conversation not saved yet) is read against
        # that turn's choices, not the ones before.
        async with agent.lock_store.lock(sender_id):
            tracker = await agent.tracker_store.retrieve(sender_id)
        if tracker is None:
            return item.text
        offered = render_turn(last_turn(tracker.events), self.platform, item.user, self.sender).choices
        return read_choice(item.text, offered) or item.text

    async def send_to_owner(self, user: str, text: str) -> None:
        """An advisor's message during a takeover (DeliveryRefused when the platform refuses)."""
        for body in render({"text": text}, self.platform, user, self.sender).messages:
            await self.post(body)


class MetaInput(MessagingInput):
    """Meta's platforms (WhatsApp, Messenger): the same signature and verification handshake."""

    app_secret_variable = ""
    verify_token_variable = ""

    def signature_valid(self, request: Request) -> bool:
        return meta_signature_valid(
            self.settings[self.app_secret_variable], request.body, request.headers.get("x-hub-signature-256")
        )

    def handshake(self, request: Request) -> HTTPResponse:
        return meta_handshake(request, self.settings[self.verify_token_variable])


def last_turn(events: Sequence[Any]) -> List[Dict[str, Any]]:
    """The assistant's messages since the owner's last message, as Rasa's output dicts."""
    messages: List[Dict[str, Any]] = []
    for event in reversed(list(events)):
        if isinstance(event, UserUttered):
            break
        if isinstance(event, BotUttered):
            messages.insert(0, {"text": event.text, **(event.data or {})})
    return messages


class MessagingOutput(OutputChannel):
    """Sends the assistant's messages to one owner, drawn for the platform."""

    def __init__(self, channel: MessagingInput, user: str) -> None:
        self.channel = channel
        self.user = user

    @classmethod
    def name(cls) -> Text:
        return "messaging"

    async def send_response(self, recipient_id: Text, message: Dict[Text, Any]) -> None:
        if (message.get("custom") or {}).get("type") == SCORE_CARD:
            return  # the result's text, sent just before, already gives every score
        rendering = render(message, self.channel.platform, self.user, self.channel.sender)
        for dropped in rendering.dropped:
            logger.info("%s: part of a message not sent (%s)", self.channel.name(), dropped)
        for body in rendering.messages:
            await self.channel.post(body)

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        await self.send_response(recipient_id, {"text": text})
