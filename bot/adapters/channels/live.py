"""Live takeover: what the advisor console and the web chat share inside the Rasa server.

The Rasa server holds the socket.io server (the widget's channel) and the agent (the
conversations). The console's routes and the widget's channel live in that same process,
so they meet here: the socket.io server to push messages, the agent to pause, resume and
write the conversation.

With several servers (README, "Production") an owner's connection and an advisor's console
may be held by different servers: every push goes to a socket.io room, and the socket.io
server's Redis manager (webchat.socket_manager) carries it to the server holding the room's
connections. The owner's connection is in the room of its conversation id. A console's
connection is in rooms named after its session (`consoles:<key>`, and `ticket:<id>:<key>` for
the ticket it watches, `key` a digest of the session token): an event is addressed only to the
rooms of sessions valid at that moment, so a console whose session ended (logout, expiry, new
password, deactivated account) hears nothing more, on any server. Its connection is closed at
once by the server holding it when that server sends an event or sees the logout, and within
SOCKET_CHECK_SECONDS by the others (each server re-checks the connections it holds).
"""

import asyncio
import logging
from typing import Any, Awaitable, Callable, Dict, List, Optional, Set

from rasa.core.channels.channel import UserMessage
from rasa.shared.core.events import BotUttered, ConversationPaused, ConversationResumed, Event, SlotSet, UserUttered
from socketio import AsyncServer

from bot.adapters import advisors, storage
from bot.adapters.console_views import iso
from bot.handover.records import (
    CLOSED,
    LIVE,
    QUEUED,
    Advisor,
    AdvisorRepository,
    TicketRecord,
    TicketRepository,
    TicketStateError,
)
from bot.messages import message

logger = logging.getLogger(__name__)

ADVISOR_NAMESPACE = "/advisor"
BOT_MESSAGE_EVENT = "bot_uttered"
# How often each server re-checks the consoles' connections it holds against their sessions
# (a password reset, a deactivation, a logout or an expiry closes them within this time; no
# event reaches them meanwhile).
SOCKET_CHECK_SECONDS = 10


def consoles_room(key: str) -> str:
    """Every console connection of the session whose key is `key` (advisors.session_key)."""
    return f"consoles:{key}"


def ticket_room(ticket_id: int, key: str) -> str:
    """The connections of that session watching that ticket."""
    return f"ticket:{int(ticket_id)}:{key}"


class LiveHub:
    def __init__(self) -> None:
        self.sio: Optional[AsyncServer] = None
        self.app: Any = None
        # The consoles' connections this server holds (namespace /advisor): session token and
        # watched ticket, to re-check them and move them between rooms. Events reach them
        # through the rooms, from any server.
        self.advisor_tokens: Dict[str, str] = {}
        self.watching: Dict[str, int] = {}
        # The messaging platforms' channels (WhatsApp, Telegram…), by their sender ids' prefix.
        self.messaging: Dict[str, Any] = {}

    def register_messaging(self, channel: Any) -> None:
        """A messaging channel whose owners get the advisor's messages through its platform."""
        self.messaging[channel.prefix] = channel

    def remember_app(self, blueprint) -> None:
        """Keeps the Sanic app (and so the agent) once the server starts."""

        @blueprint.listener("before_server_start")
        async def keep(app, _loop) -> None:
            self.app = app

    @property
    def agent(self):
        return getattr(self.app.ctx, "agent", None) if self.app is not None else None

    @property
    def tickets(self) -> TicketRepository:
        return storage.ticket_repository()

    @property
    def accounts(self) -> AdvisorRepository:
        return advisors.advisor_repository()

    async def append_to_conversation(self, sender_id: str, events: List[Event]) -> None:
        agent = self.agent
        if agent is None or agent.processor is None:
            logger.warning("No model loaded: events for %s not written to the conversation", sender_id)
            return
        async with agent.lock_store.lock(sender_id):
            tracker = await agent.processor.get_tracker(sender_id)
            for event in events:
                tracker.update(event)
            await agent.tracker_store.save(tracker)

    async def to_owner(self, sender_id: str, payload: Dict[str, Any]) -> None:
        """Through the owner's own channel: their messaging platform, else the widget.
        A platform's refusal (WhatsApp's 24-hour window) reaches the caller."""
        for prefix, channel in self.messaging.items():
            if sender_id.startswith(prefix):
                await channel.send_to_owner(sender_id[len(prefix) :], payload["text"])
                return
        if self.sio is not None:
            await self.sio.emit(BOT_MESSAGE_EVENT, payload, room=sender_id)

    async def notify_owner(self, sender_id: str, text: str) -> None:
        """A notice (an advisor joined, left, closed): its failure must not undo the change."""
        try:
            await self.to_owner(sender_id, {"text": text, "metadata": {"notice": True}})
        except Exception as error:  # noqa: BLE001 (the platform refused or is down)
            logger.warning("Notice not delivered to the owner: %s", type(error).__name__)

    async def to_advisors(self, ticket_id: int, event: str, payload: Dict[str, Any]) -> None:
        if self.sio is None:
            return
        # A status change goes to every console (each refreshes its list), once; the rest only
        # to the consoles watching this ticket. Only to sessions valid now, whatever server
        # holds their connections.
        valid = await self.valid_sessions()
        if event == "ticket_updated":
            rooms = [consoles_room(key) for key in sorted(valid)]
        else:
            rooms = [ticket_room(ticket_id, key) for key in sorted(valid)]
        if rooms:  # a list of rooms: each connection hears the event once (python-socketio)
            await self.sio.emit(event, {"ticket_id": int(ticket_id), **payload}, to=rooms, namespace=ADVISOR_NAMESPACE)

    # The consoles' connections -------------------------------------------------------

    def advisor_connected(self, sid: str, token: str) -> None:
        self.advisor_tokens[sid] = token
        if self.sio is not None:
            self.sio.enter_room(sid, consoles_room(advisors.session_key(token)), namespace=ADVISOR_NAMESPACE)

    def watch(self, sid: str, ticket_id: Optional[int]) -> None:
        """The connection now watches that ticket (None: none), instead of the one before."""
        token = self.advisor_tokens.get(sid)
        previous = self.watching.pop(sid, None)
        if token is None or self.sio is None:
            return
        key = advisors.session_key(token)
        if previous is not None:
            self.sio.leave_room(sid, ticket_room(previous, key), namespace=ADVISOR_NAMESPACE)
        if ticket_id is not None:
            self.watching[sid] = ticket_id
            self.sio.enter_room(sid, ticket_room(ticket_id, key), namespace=ADVISOR_NAMESPACE)

    def advisor_gone(self, sid: str) -> None:
        # socket.io takes a closed connection out of its rooms itself.
        self.advisor_tokens.pop(sid, None)
        self.watching.pop(sid, None)

    async def close_consoles(self, sids: List[str]) -> None:
        for sid in sids:
            self.advisor_gone(sid)
            if self.sio is not None:
                await self.sio.disconnect(sid, namespace=ADVISOR_NAMESPACE)

    async def valid_sessions(self) -> Set[str]:
        """The keys of the valid sessions; this server's console connections whose session
        ended (expired, logged out, password reset, account deactivated) are closed."""
        valid = await asyncio.to_thread(self.accounts.valid_session_keys)
        await self.close_consoles(
            [sid for sid, token in list(self.advisor_tokens.items()) if advisors.session_key(token) not in valid]
        )
        return valid

    async def still_signed_in(self, sid: str) -> bool:
        """Whether this connection's session is still valid; closed if not."""
        token = self.advisor_tokens.get(sid)
        if token is not None and token in await asyncio.to_thread(self.accounts.valid_tokens, {token}):
            return True
        await self.close_consoles([sid])
        return False

    async def session_ended(self, token: Optional[str]) -> None:
        """A logout on this server: its connections here are closed at once (elsewhere they
        hear nothing more and are closed at their server's next check)."""
        await self.close_consoles([sid for sid, held in list(self.advisor_tokens.items()) if held == token])

    async def check_advisor_sockets(self, every: float = SOCKET_CHECK_SECONDS) -> None:
        """Runs with the server: closes the connections it holds whose session ended meanwhile."""
        while True:
            await asyncio.sleep(every)
            if not self.advisor_tokens:
                continue
            try:
                await self.valid_sessions()
            except Exception:  # a database hiccup must not stop the checks
                logger.exception("Could not re-check the consoles' connections")

    # The owner's side --------------------------------------------------------------

    async def owner_message_during_takeover(
        self, sender_id: str, text: str, channel: str, metadata: Optional[Dict] = None
    ) -> bool:
        """Routes the owner's message to the advisor if a ticket of theirs is live.

        Returns False when no advisor holds the conversation (the bot answers as usual).
        The message never reaches the NLU: while paused nothing may make the bot talk
        (Rasa itself would answer a `restart` intent even in a paused conversation).
        """
        ticket = await asyncio.to_thread(self.tickets.live_for, sender_id)
        if ticket is None:
            return False
        event = await asyncio.to_thread(self.tickets.add_event, ticket.id, "owner_message", "owner", text)
        await self.append_to_conversation(sender_id, [UserUttered(text, input_channel=channel, metadata=metadata)])
        await self.to_advisors(ticket.id, "owner_message", {"text": text, "at": iso(event.at)})
        return True

    # The advisor's side ------------------------------------------------------------

    async def take(self, ticket_id: int, advisor: Advisor) -> TicketRecord:
        ticket = await asyncio.to_thread(self.tickets.take, ticket_id, advisor.id, advisor.name)
        notice = message("handoff.advisor_joined", name=advisor.name)
        await self.append_to_conversation(
            ticket.sender_id,
            [
                ConversationPaused(),
                SlotSet("handoff_status", LIVE),
                notice_event(notice),
            ],
        )
        await self.notify_owner(ticket.sender_id, notice)
        await self.to_advisors(ticket_id, "ticket_updated", {"status": ticket.status})
        return ticket

    async def advisor_message(self, ticket_id: int, advisor: Advisor, text: str) -> None:
        ticket = await asyncio.to_thread(self.tickets.get, ticket_id)
        if ticket is None or not ticket.held_by(advisor.id, advisor.name):
            raise TicketStateError("Prenez d'abord cette demande en charge pour écrire au client.")
        speaker = {"advisor": {"name": advisor.name}}
        try:  # first, so that a message the platform refused is not recorded as sent
            await self.to_owner(ticket.sender_id, {"text": text, "metadata": speaker})
        except Exception as error:  # noqa: BLE001 (the advisor must hear why, in French)
            raise TicketStateError(
                getattr(error, "reason", None) or "Le message n'a pas pu être remis au client. Réessayez."
            ) from error
        event = await asyncio.to_thread(self.tickets.add_event, ticket_id, "advisor_message", advisor.name, text)
        await self.append_to_conversation(ticket.sender_id, [BotUttered(text, metadata=speaker)])
        await self.to_advisors(
            ticket_id, "advisor_message", {"text": text, "at": iso(event.at), "advisor": advisor.name}
        )

    async def hand_back(self, ticket_id: int, advisor: Advisor) -> TicketRecord:
        ticket = await asyncio.to_thread(self.tickets.hand_back, ticket_id, advisor.id, advisor.name)
        notice = message("handoff.advisor_left")
        await self.append_to_conversation(
            ticket.sender_id,
            [
                ConversationResumed(),
                SlotSet("handoff_status", QUEUED),
                notice_event(notice),
            ],
        )
        await self.notify_owner(ticket.sender_id, notice)
        await self.to_advisors(ticket_id, "ticket_updated", {"status": ticket.status})
        return ticket

    async def close(self, ticket_id: int, advisor: Advisor) -> TicketRecord:
        before = await asyncio.to_thread(self.tickets.get, ticket_id)
        ticket = await asyncio.to_thread(self.tickets.close, ticket_id, advisor.id, advisor.name)
        events: List[Event] = [SlotSet("handoff_status", CLOSED)]
        if before is not None and before.status == LIVE:
            notice = message("handoff.advisor_closed")
            events = [ConversationResumed(), *events, notice_event(notice)]
            await self.notify_owner(ticket.sender_id, notice)
        await self.append_to_conversation(ticket.sender_id, events)
        await self.to_advisors(ticket_id, "ticket_updated", {"status": ticket.status})
        return ticket


def notice_event(text: str) -> BotUttered:
    return BotUttered(text, metadata={"notice": True})


hub = LiveHub()


TO_ADVISOR = "to_advisor"  # what takeover_aware returns when the advisor got the message


def takeover_aware(on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Callable[[UserMessage], Awaitable[Any]]:
    """Wraps a channel's message handler: during a takeover the advisor gets the message."""

    async def handle(message: UserMessage) -> Any:
        if await hub.owner_message_during_takeover(
            message.sender_id, message.text or "", message.input_channel or "", message.metadata
        ):
            return TO_ADVISOR
        return await on_new_message(message)

    return handle
