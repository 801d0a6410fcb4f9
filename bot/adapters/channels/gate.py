"""The door every owner's message goes through, whatever the channel.

In order: the sender id must be one a channel could have made; the message is cleaned and
bounded (bot/language/inbound.py); a conversation sending faster than a person types is asked to
wait; then the message goes on (to the advisor during a takeover, else to the assistant).
A failure while handling it gets a French apology instead of silence, and the log says what
failed without the owner's words.
"""

import logging
import os
import re
import traceback
from pathlib import Path
from typing import Any, Awaitable, Callable, Collection, Optional

from rasa.core.channels.channel import UserMessage
from rasa.core.tracker_store import FailSafeTrackerStore

from bot.adapters.channels.live import TO_ADVISOR, hub
from bot.language.inbound import check_message, reply
from bot.security.rate_limit import RateLimit
from bot.security.secret_files import read_or_create
from bot.settings import load_settings

logger = logging.getLogger(__name__)

REPO_ROOT = Path(__file__).resolve().parents[3]
# What a channel's own sender ids look like: printable, no spaces at the ends, bounded.
_SENDER_ID = re.compile(r"[\w.:@+\-]{1,128}")

Handler = Callable[[UserMessage], Awaitable[Any]]


def valid_sender_id(sender_id: object) -> bool:
    return isinstance(sender_id, str) and _SENDER_ID.fullmatch(sender_id) is not None


class Gate:
    def __init__(self) -> None:
        self._intents: Collection[str] = ()
        limits = load_settings().limits
        self.per_conversation = RateLimit(limits.messages_per_minute_per_conversation)
        self.per_address = RateLimit(limits.messages_per_minute_per_address)

    @property
    def intents(self) -> Collection[str]:
        """The domain's intents, which a button payload may name."""
        if not self._intents and hub.agent is not None and hub.agent.domain is not None:
            self._intents = frozenset(hub.agent.domain.intents)
        return self._intents

    def address_allowed(self, address: Optional[str]) -> bool:
        return self.per_address.allow(address or "unknown")

    def guard(self, on_new_message: Handler) -> Handler:
        async def handle(message: UserMessage) -> Any:
            if not valid_sender_id(message.sender_id):
                logger.warning("Message refused on %s: malformed sender id", message.input_channel)
                return None
            limits = load_settings().limits
            inbound = check_message(message.text, self.intents, limits.message_max_chars)
            if inbound.text is None:
                logger.info("Message on %s answered at the door: %s", message.input_channel, inbound.reason)
                await send_text(message, inbound.reply)
                return None
            if not self.per_conversation.allow(message.sender_id):
                logger.info("Message on %s refused: conversation over its rate", message.input_channel)
                await send_text(message, reply("too_fast"))
                return None
            message.text = inbound.text
            without_memory_fallback(hub.agent)
            replies = ReplyCounter(message)
            try:
                result = await on_new_message(message)
            except Exception as error:  # noqa: BLE001 (any fault: the owner must hear back)
                # The exception's text may quote the message or an SQL parameter: the type and
                # the stack only.
                logger.error(
                    "Handling a message on %s failed: %s\n%s",
                    message.input_channel,
                    type(error).__name__,
                    "".join(traceback.format_tb(error.__traceback__)),
                )
                await send_text(message, reply("technical_fault"))
                return None
            if replies.silent and result is not TO_ADVISOR:
                # The assistant always answers, and during a takeover the message never
                # reaches it: silence means an action failed (Rasa logs it and goes on).
                logger.error("No reply to a message on %s: an action failed", message.input_channel)
                await send_text(message, reply("technical_fault"))
            return result

        return handle


def without_memory_fallback(agent: Any) -> None:
    """Rasa wraps the tracker store in a FailSafeTrackerStore, which answers a database
    outage with an empty conversation kept in memory: the owner would find the assistant
    starting over, and what they say meanwhile would be lost. Unwrapped, the outage reaches
    the gate, which apologises; the conversation is intact when the database is back."""
    for holder in (agent, getattr(agent, "processor", None)):
        store = getattr(holder, "tracker_store", None)
        if isinstance(store, FailSafeTrackerStore):
            holder.tracker_store = store._tracker_store  # the store it wraps (no public accessor)


class ReplyCounter:
    """Counts what the assistant sends for one message, through the message's own channel."""

    def __init__(self, message: UserMessage) -> None:
        self.sent = 0
        self.watching = message.output_channel is not None
        if self.watching:
            original = message.output_channel.send_response

            async def counted(*args: Any, **kwargs: Any) -> Any:
                self.sent += 1
                return await original(*args, **kwargs)

            message.output_channel.send_response = counted

    @property
    def silent(self) -> bool:
        return self.watching and self.sent == 0


async def send_text(message: UserMessage, text: Optional[str]) -> None:
    if text and message.output_channel is not None:
        try:
            await message.output_channel.send_text_message(message.sender_id, text)
        except Exception as error:  # noqa: BLE001 (the channel itself is down: nothing more to do)
            logger.error("Could not answer on %s: %s", message.input_channel, type(error).__name__)


def secret_from(variable: str, file_name: str) -> bytes:
    """A secret from the environment, else from a file in var/ created once (mode 600).

    With several servers, set the variable: each server must sign with the same secret."""
    return (os.environ.get(variable) or read_or_create(REPO_ROOT / "var" / file_name)).encode()


gate = Gate()
