"""The website widget's channel: Rasa's socket.io channel plus live takeover.

Same protocol as Rasa's `socketio` channel (third-party clients such as rasa-webchat keep
working), with three additions:
- while an advisor holds the conversation, the owner's messages go to the advisor, not the bot;
- custom payloads (the diagnostic's score card) reach the browser as `{"custom": …}`;
- the advisor console's real-time namespace `/advisor` runs on the same socket.io server.
"""
import logging
from http.cookies import SimpleCookie
from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.socketio import SocketIOInput, SocketIOOutput
from sanic import Blueprint

from bot import advisors
from bot.channels.live import ADVISOR_NAMESPACE, hub, takeover_aware

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
        deliver = takeover_aware(on_new_message)

        async def handle(message: UserMessage) -> Any:
            message.output_channel = WebChatOutput(self.sio, self.bot_message_evt)
            return await deliver(message)

        socket_blueprint = super().blueprint(handle)
        sio = self.sio
        hub.sio = sio
        hub.remember_app(socket_blueprint)

        @sio.on("connect", namespace=ADVISOR_NAMESPACE)
        async def advisor_connect(sid: Text, environ: Dict, auth: Optional[Dict] = None) -> bool:
            cookie = SimpleCookie(environ.get("HTTP_COOKIE", ""))
            token = cookie[SESSION_COOKIE].value if SESSION_COOKIE in cookie else None
            if advisors.advisor_for(token) is None:
                return False  # refuses the connection
            await sio.save_session(sid, {"token": token}, namespace=ADVISOR_NAMESPACE)
            return True

        @sio.on("watch", namespace=ADVISOR_NAMESPACE)
        async def watch(sid: Text, data: Dict) -> None:
            session = await sio.get_session(sid, namespace=ADVISOR_NAMESPACE)
            if advisors.advisor_for(session.get("token")) is None:  # the session expired meanwhile
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
