"""The website widget's channel: Rasa's socket.io channel plus live takeover.

Same protocol as Rasa's `socketio` channel (third-party clients such as rasa-webchat keep
working), with these additions:
- the conversation id is issued and signed by the server (bot/security/web_session.py): the browser
  keeps a token, and a token the server did not sign opens a new conversation;
- every message goes through the door of bot/adapters/channels/gate.py;
- while an advisor holds the conversation, the owner's messages go to the advisor, not the bot;
- custom payloads (the diagnostic's score card) reach the browser as `{"custom": …}`;
- the advisor console's real-time namespace `/advisor` runs on the same socket.io server;
- with several servers (SOCKETIO_REDIS_URL, else REDIS_URL, set), the socket.io server shares
  its emits through python-socketio's AsyncRedisManager: a message for an owner or a console
  reaches them whichever server holds their connection. Unset (`make run`): all in process.
  The messages cross Redis as JSON (JsonRedisManager), never as pickles.
"""

import asyncio
import json
import logging
import os
from http.cookies import SimpleCookie
from typing import Any, AsyncIterator, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels.channel import UserMessage, decode_bearer_token
from rasa.core.channels.socketio import SocketBlueprint, SocketIOInput, SocketIOOutput
from redis.exceptions import RedisError
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from socketio import AsyncRedisManager, AsyncServer

from bot.adapters import advisors
from bot.adapters.channels.gate import gate, secret_from
from bot.adapters.channels.live import ADVISOR_NAMESPACE, hub, takeover_aware
from bot.language.inbound import reply
from bot.security.web_session import new_session, sender_of

logger = logging.getLogger(__name__)

SESSION_COOKIE = "conseiller_console"
# A chat message is a few kilobytes: a bigger packet is refused before it is buffered
# (python-engineio is pinned to 4.5.1, see README "Known vulnerabilities").
MAX_PACKET_BYTES = 64 * 1024


def redis_key_prefix() -> str:
    """What this deployment's keys and channels in Redis start with (REDIS_KEY_PREFIX, letters and
    digits): two deployments may share one Redis (pub/sub channels ignore the db number)."""
    return os.environ.get("REDIS_KEY_PREFIX") or "conseiller"


class JsonRedisManager(AsyncRedisManager):
    """python-socketio 5.8's Redis manager, its messages written and read as JSON. The original
    pickles them and unpickles whatever arrives on its channel (CVE-2025-61765): anyone able to
    publish there would run code on every server. What our servers send (chat messages, console
    events, room names) is plain JSON; anything else on the channel is ignored."""

    async def _publish(self, data: Dict[str, Any]) -> Any:
        message = json.dumps(data)
        for attempt in range(2):  # as the original: one reconnection, then give up
            try:
                if attempt:
                    self._redis_connect()
                return await self.redis.publish(self.channel, message)
            except RedisError:
                self._get_logger().error("Cannot publish to redis... %s", "retrying" if not attempt else "giving up")
        return None

    async def _listen(self) -> AsyncIterator[Dict[str, Any]]:
        async for message in super()._listen():
            try:
                data = json.loads(message)
            except (TypeError, ValueError):  # not ours: never unpickled
                continue
            if isinstance(data, dict):
                yield data  # a dict is handled as it is (AsyncPubSubManager._thread)


def socket_manager() -> Optional[AsyncRedisManager]:
    """python-socketio's Redis manager when the servers are several: every emit goes through
    Redis to every server, each delivering to the connections it holds. None without a Redis
    address: the in-process manager, for one server (`make run`)."""
    url = os.environ.get("SOCKETIO_REDIS_URL") or os.environ.get("REDIS_URL")
    if not url:
        return None
    return JsonRedisManager(url, channel=f"{redis_key_prefix()}:socketio")


class WebChatOutput(SocketIOOutput):
    async def send_custom_json(self, recipient_id: Text, json_message: Dict[Text, Any], **kwargs: Any) -> None:
        await self._send_message(recipient_id, {"custom": json_message})


class WebChatInput(SocketIOInput):
    @classmethod
    def name(cls) -> Text:
        return "socketio"

    def get_output_channel(self) -> Optional[WebChatOutput]:
        return WebChatOutput(self.sio, self.bot_message_evt) if self.sio is not None else None

    def socket_server(self) -> AsyncServer:
        """Rasa's SocketIOInput.blueprint builds its AsyncServer itself, with no way to give it a
        client manager: this one is built here, with the Redis manager when there is one."""
        return AsyncServer(
            async_mode="sanic",
            client_manager=socket_manager(),
            # Any site may embed the widget; its requests carry no credentials (the signed session
            # token is the credential), so no cookie of ours can be used from another site.
            cors_allowed_origins="*",
            cors_credentials=False,
            max_http_buffer_size=MAX_PACKET_BYTES,
        )

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """Rasa's blueprint (same path, health route and JWT check on connect), on our own
        AsyncServer (`socket_server`), with the handlers below instead of Rasa's session and
        message handlers."""
        deliver = gate.guard(takeover_aware(on_new_message))
        sio = self.socket_server()
        socket_blueprint = SocketBlueprint(sio, self.socketio_path, "socketio_webhook", __name__)
        self.sio = sio
        hub.sio = sio
        hub.remember_app(socket_blueprint)
        secret = secret_from("WIDGET_SESSION_SECRET", "widget-session-secret")

        @socket_blueprint.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @sio.on("connect", namespace=self.namespace)
        async def connect(sid: Text, environ: Dict, auth: Optional[Dict] = None) -> bool:
            # As Rasa's channel: with a `jwt_key` in credentials.yml, a valid token is required.
            if not self.jwt_key:
                return True
            token = auth.get("token") if isinstance(auth, dict) else None
            return bool(token and decode_bearer_token(token, self.jwt_key, self.jwt_algorithm))

        # Rasa's handlers let the browser choose its conversation id: these replace them.
        @sio.on("session_request", namespace=self.namespace)
        async def session_request(sid: Text, data: Optional[Dict]) -> None:
            token = data.get("session_id") if isinstance(data, dict) else None
            sender_id = sender_of(token, secret)
            if sender_id is None:  # no session yet, or one the server did not sign: a new one
                sender_id, token = new_session(secret)
            await sio.save_session(sid, {"sender_id": sender_id}, namespace=self.namespace)
            sio.enter_room(sid, sender_id, namespace=self.namespace)
            await sio.emit("session_confirm", token, room=sid, namespace=self.namespace)

        @sio.on(self.user_message_evt, namespace=self.namespace)
        async def user_uttered(sid: Text, data: Any) -> None:
            session = await sio.get_session(sid, namespace=self.namespace)
            sender_id = session.get("sender_id")
            output = WebChatOutput(sio, self.bot_message_evt)
            if sender_id is None:  # no session_request first: nothing to attach the message to
                await sio.emit(
                    self.bot_message_evt, {"text": reply("technical_fault")}, room=sid, namespace=self.namespace
                )
                return
            environ = sio.get_environ(sid, namespace=self.namespace) or {}
            request = environ.get("sanic.request")
            address = (request.remote_addr or request.ip) if request is not None else environ.get("REMOTE_ADDR")
            if not gate.address_allowed(address):
                await output.send_text_message(sender_id, reply("too_fast"))
                return
            data = data if isinstance(data, dict) else {}
            metadata = data.get(self.metadata_key)
            text = data.get("message")
            await deliver(
                UserMessage(
                    text if isinstance(text, str) else "",
                    output,
                    sender_id,
                    input_channel=self.name(),
                    metadata=metadata if isinstance(metadata, dict) else None,
                )
            )

        @sio.on("connect", namespace=ADVISOR_NAMESPACE)
        async def advisor_connect(sid: Text, environ: Dict, auth: Optional[Dict] = None) -> bool:
            # The console's own page only: a page of another site (even a sibling subdomain,
            # whose requests carry the SameSite cookie) is refused.
            request = environ.get("sanic.request")
            headers = request.headers if request is not None else {"host": environ.get("HTTP_HOST", "")}
            scheme = request.scheme if request is not None else environ.get("wsgi.url_scheme", "http")
            if not advisors.same_origin(environ.get("HTTP_ORIGIN"), scheme, headers):
                logger.warning("Console connection refused from origin %s", environ.get("HTTP_ORIGIN"))
                return False
            cookie = SimpleCookie(environ.get("HTTP_COOKIE", ""))
            token = cookie[SESSION_COOKIE].value if SESSION_COOKIE in cookie else None
            if await asyncio.to_thread(hub.accounts.advisor_for, token) is None:
                return False  # refuses the connection
            hub.advisor_connected(sid, token)
            return True

        @sio.on("disconnect", namespace=ADVISOR_NAMESPACE)
        async def advisor_disconnect(sid: Text) -> None:
            hub.advisor_gone(sid)

        @sio.on("watch", namespace=ADVISOR_NAMESPACE)
        async def watch(sid: Text, data: Dict) -> None:
            if not await hub.still_signed_in(sid):  # the session ended meanwhile: disconnected
                return
            try:
                ticket_id = int((data if isinstance(data, dict) else {}).get("ticket_id"))
            except (TypeError, ValueError):
                hub.watch(sid, None)
                return
            hub.watch(sid, ticket_id)

        checks = []

        @socket_blueprint.listener("after_server_start")
        async def check_consoles(_app, _loop) -> None:
            if isinstance(sio.manager, AsyncRedisManager) and not sio.manager_initialized:
                # Subscribed to Redis before the first client rather than at its connection
                # (python-socketio's default), or the first emits to that client could be missed.
                sio.manager_initialized = True
                sio.manager.initialize()
            checks.append(asyncio.create_task(hub.check_advisor_sockets()))

        @socket_blueprint.listener("before_server_stop")
        async def stop_checking(_app, _loop) -> None:
            while checks:
                checks.pop().cancel()

        return socket_blueprint
