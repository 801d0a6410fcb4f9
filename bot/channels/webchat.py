"""The website widget's channel: Rasa's socket.io channel plus live takeover.

Same protocol as Rasa's `socketio` channel (third-party clients such as rasa-webchat keep
working), with three additions:
- while an advisor holds the conversation, the owner's messages go to the advisor, not the bot;
- custom payloads (the diagnostic's score card) reach the browser as `{"custom": …}`;
- the advisor console's real-time namespace `/advisor` runs on the same socket.io server.
"""
import json
import logging
from http.cookies import SimpleCookie
from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.socketio import SocketIOInput, SocketIOOutput
from sanic import Blueprint

from bot import advisors
from bot.channels.live import ADVISOR_NAMESPACE, hub

logger = logging.getLogger(__name__)

SESSION_COOKIE = "conseiller_console"


class WebChatOutput(SocketIOOutput):
    async def send_custom_json(self, recipient_id: Text, json_message: Dict[Text, Any], **kwargs: Any) -> None:
        await self._send_message(recipient_id, {"custom": json_message})


class WebChatInput(SocketIOInput):
    @classmethod
    def name(cls) -> Text:
        return "socketio"

    def get_output_channel(self) -> Optional[WebChatOutput]:
        return WebChatOutput(self.sio, self.bot_message_evt) if self.sio is not None else None

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        socket_blueprint = super().blueprint(on_new_message)
        sio = self.sio
        hub.sio = sio
        hub.remember_app(socket_blueprint)

        # Replaces the handler Rasa registered for the same event.
        @sio.on(self.user_message_evt, namespace=self.namespace)
        async def handle_message(sid: Text, data: Dict) -> None:
            if not isinstance(data, dict):
                return
            sender_id = data.get("session_id") if self.session_persistence else sid
            if not sender_id:
                logger.warning("A message without a session_id was ignored (send session_request first).")
                return
            text = str(data.get("message") or "")
            metadata = data.get(self.metadata_key) or {}
            if isinstance(metadata, str):
                try:
                    metadata = json.loads(metadata)
                except ValueError:
                    metadata = {}
            if await hub.owner_message_during_takeover(sender_id, text, self.name(), metadata):
                return
            output = WebChatOutput(sio, self.bot_message_evt)
            await on_new_message(UserMessage(text, output, sender_id, input_channel=self.name(), metadata=metadata))

        @sio.on("connect", namespace=ADVISOR_NAMESPACE)
        async def advisor_connect(sid: Text, environ: Dict, auth: Optional[Dict] = None) -> bool:
            cookie = SimpleCookie(environ.get("HTTP_COOKIE", ""))
            token = cookie[SESSION_COOKIE].value if SESSION_COOKIE in cookie else None
            advisor = advisors.advisor_for(token)
            if advisor is None:
                return False  # refuses the connection
            await sio.save_session(sid, {"advisor": advisor.name, "token": token}, namespace=ADVISOR_NAMESPACE)
            return True

        @sio.on("watch", namespace=ADVISOR_NAMESPACE)
        async def watch(sid: Text, data: Dict) -> None:
            session = await sio.get_session(sid, namespace=ADVISOR_NAMESPACE)
            if advisors.advisor_for(session.get("token")) is None:
                await sio.disconnect(sid, namespace=ADVISOR_NAMESPACE)
                return
            for room in list(sio.rooms(sid, namespace=ADVISOR_NAMESPACE)):
                if room.startswith("ticket-"):
                    sio.leave_room(sid, room, namespace=ADVISOR_NAMESPACE)
            try:
                ticket_id = int((data or {}).get("ticket_id"))
            except (TypeError, ValueError):
                return
            sio.enter_room(sid, hub.ticket_room(ticket_id), namespace=ADVISOR_NAMESPACE)

        return socket_blueprint
