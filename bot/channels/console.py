"""The advisor console, the demo page and the widget's files, served by the Rasa server.

Registered as a Rasa input channel (credentials.yml) because that is how Rasa lets a
project add routes to its own Sanic server: no second web server to run. It receives no
owner messages itself; the widget talks through `bot.channels.webchat`.
"""
import asyncio
import logging
import time
from collections import defaultdict, deque
from datetime import datetime
from functools import wraps
from pathlib import Path
from typing import Any, Awaitable, Callable, Deque, Dict, Optional, Text

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot import advisors, storage
from bot.channels.live import hub
from bot.channels.webchat import SESSION_COOKIE
from bot.console_views import history_messages, ticket_detail, ticket_summary
from bot.settings import load_settings

logger = logging.getLogger(__name__)

WEB = Path(__file__).resolve().parent.parent / "web"
STATIC_FILES = {
    "widget/widget.js": WEB / "static" / "widget.js",
    "widget/widget.css": WEB / "static" / "widget.css",
    "widget/vendor/socket.io.min.js": WEB / "static" / "vendor" / "socket.io.min.js",
    "console/console.js": WEB / "console" / "console.js",
    "console/console.css": WEB / "console" / "console.css",
}
# The pages load only their own files; the console cannot be framed by another site.
PAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:; "
                               "style-src 'self'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}
MAX_MESSAGE_LENGTH = 4000
# Failed logins per e-mail address: more than this within the window are refused.
LOGIN_ATTEMPTS, LOGIN_WINDOW_SECONDS = 5, 900


DEMO_HEADERS = {**PAGE_HEADERS, "Content-Security-Policy": PAGE_HEADERS["Content-Security-Policy"].replace(
    "style-src 'self'", "style-src 'self' 'unsafe-inline'")}  # the demo page has its own <style>


def json_body(request: Request) -> Dict[str, Any]:
    try:
        body = request.json
    except Exception:  # Sanic refuses malformed JSON with an exception: treat it as empty
        return {}
    return body if isinstance(body, dict) else {}


def error(status: int, message: str) -> HTTPResponse:
    return response.json({"error": message}, status=status)


class ConsoleInput(InputChannel):
    @classmethod
    def name(cls) -> Text:
        return "console"

    def url_prefix(self) -> Text:
        return "/"  # Rasa joins it to /webhooks/: an absolute path puts the routes at the root

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        blueprint = Blueprint("conseiller_console", __name__)
        failed_logins: Dict[str, Deque[float]] = defaultdict(deque)

        hub.remember_app(blueprint)

        def signed_in(handler):
            @wraps(handler)
            async def checked(request: Request, *args, **kwargs):
                advisor = await asyncio.to_thread(advisors.advisor_for, request.cookies.get(SESSION_COOKIE))
                if advisor is None:
                    return error(401, "Votre session a expiré ou vous n'êtes pas connecté : connectez-vous.")
                return await handler(request, advisor, *args, **kwargs)
            return checked

        async def state_change(change, ticket_id: int, advisor) -> HTTPResponse:
            try:
                await change(ticket_id, advisor)
            except storage.TicketStateError as refusal:
                return error(409, str(refusal))
            ticket = await asyncio.to_thread(storage.ticket_with_events, ticket_id)
            return response.json({"ticket": ticket_detail(ticket, await conversation_of(ticket))})

        async def conversation_of(ticket) -> Optional[list]:
            agent = hub.agent
            if agent is None or ticket is None:
                return None
            tracker = await agent.tracker_store.retrieve(ticket.sender_id)
            return [event.as_dict() for event in tracker.events] if tracker is not None else None

        # Pages and files ------------------------------------------------------------
        @blueprint.route("/demo", methods=["GET"], strict_slashes=False)
        async def demo(_: Request) -> HTTPResponse:
            return await response.file(WEB / "demo.html", headers=DEMO_HEADERS)

        @blueprint.route("/console", methods=["GET"], strict_slashes=False)
        async def console_page(_: Request) -> HTTPResponse:
            return await response.file(WEB / "console" / "index.html", headers={**PAGE_HEADERS, "Cache-Control": "no-store"})

        @blueprint.route("/<folder:widget|console>/<name:path>", methods=["GET"])
        async def static(request: Request, folder: str, name: str) -> HTTPResponse:
            if folder == "console" and name in ("", "index.html"):  # this route also matches "/console/"
                return await console_page(request)
            path = STATIC_FILES.get(f"{folder}/{name}")
            if path is None or not path.exists():
                return error(404, "Fichier introuvable.")
            return await response.file(path, headers={"Cache-Control": "public, max-age=300"})

        # The widget's history ------------------------------------------------------------
        @blueprint.route("/chat/history/<session_id:str>", methods=["GET"])
        async def history(_: Request, session_id: str) -> HTTPResponse:
            agent = hub.agent
            if agent is None or len(session_id) < 16:
                return response.json({"messages": []})
            tracker = await agent.tracker_store.retrieve(session_id)
            events = [event.as_dict() for event in tracker.events] if tracker is not None else []
            # Only web-chat conversations, whose ids are long random values: a REST sender
            # id may be guessable, so its history is not served here.
            if not any(e.get("event") == "user" and e.get("input_channel") == "socketio" for e in events):
                return response.json({"messages": []})
            return response.json({"messages": history_messages(events)})

        # The console's API ----------------------------------------------------------------
        @blueprint.route("/console/api/login", methods=["POST"])
        async def login(request: Request) -> HTTPResponse:
            body = json_body(request)
            email = str(body.get("email") or "").strip().lower()
            password = str(body.get("password") or "")
            attempts = failed_logins[email]
            now = time.monotonic()
            while attempts and now - attempts[0] > LOGIN_WINDOW_SECONDS:
                attempts.popleft()
            if len(attempts) >= LOGIN_ATTEMPTS:
                return error(429, "Trop de tentatives : réessayez dans un quart d'heure.")
            settings = load_settings()
            token = await asyncio.to_thread(advisors.log_in, email, password, settings.session_hours)
            if token is None:
                attempts.append(now)
                return error(401, "E-mail ou mot de passe incorrect.")
            attempts.clear()
            advisor = await asyncio.to_thread(advisors.advisor_for, token)
            answer = response.json({"advisor": {"name": advisor.name, "email": advisor.email}})
            answer.cookies[SESSION_COOKIE] = token
            cookie = answer.cookies[SESSION_COOKIE]
            cookie["httponly"] = True
            cookie["samesite"] = "Strict"
            cookie["path"] = "/"
            cookie["max-age"] = int(settings.session_hours * 3600)
            if request.scheme == "https":
                cookie["secure"] = True
            return answer

        @blueprint.route("/console/api/logout", methods=["POST"])
        async def logout(request: Request) -> HTTPResponse:
            await asyncio.to_thread(advisors.log_out, request.cookies.get(SESSION_COOKIE))
            answer = response.json({"ok": True})
            del answer.cookies[SESSION_COOKIE]
            return answer

        @blueprint.route("/console/api/me", methods=["GET"])
        @signed_in
        async def me(_: Request, advisor) -> HTTPResponse:
            return response.json({"advisor": {"name": advisor.name, "email": advisor.email}})

        @blueprint.route("/console/api/tickets", methods=["GET"])
        @signed_in
        async def tickets(request: Request, advisor) -> HTTPResponse:
            status = request.args.get("status", "open")
            if status not in ("open", "queued", "live", "closed", "all"):
                return error(400, "Statut inconnu.")
            found = await asyncio.to_thread(storage.list_tickets, status)
            return response.json({"tickets": [ticket_summary(t) for t in found], "office": office_line(datetime.utcnow())})

        @blueprint.route("/console/api/tickets/<ticket_id:int>", methods=["GET"])
        @signed_in
        async def ticket(_: Request, advisor, ticket_id: int) -> HTTPResponse:
            found = await asyncio.to_thread(storage.ticket_with_events, ticket_id)
            if found is None:
                return error(404, f"La demande n° {ticket_id} n'existe pas (ou a été effacée).")
            return response.json({"ticket": ticket_detail(found, await conversation_of(found))})

        @blueprint.route("/console/api/tickets/<ticket_id:int>/<change:take|handback|close>", methods=["POST"])
        @signed_in
        async def change_status(_: Request, advisor, ticket_id: int, change: str) -> HTTPResponse:
            changes = {"take": hub.take, "handback": hub.hand_back, "close": hub.close}
            return await state_change(changes[change], ticket_id, advisor)

        @blueprint.route("/console/api/tickets/<ticket_id:int>/message", methods=["POST"])
        @signed_in
        async def message(request: Request, advisor, ticket_id: int) -> HTTPResponse:
            body = json_body(request)
            text = str(body.get("text") or "").strip()
            if not text:
                return error(400, "Le message est vide.")
            if len(text) > MAX_MESSAGE_LENGTH:
                return error(400, f"Le message est trop long ({MAX_MESSAGE_LENGTH} caractères au plus).")
            try:
                await hub.advisor_message(ticket_id, advisor, text)
            except storage.TicketStateError as refusal:
                return error(409, str(refusal))
            return response.json({"ok": True})

        return blueprint


def office_line(now: datetime) -> Dict[str, Any]:
    hours = load_settings().office_hours
    if hours.is_open(now):
        return {"open": True, "message": "Heures d'ouverture : les entrepreneurs sont informés qu'un conseiller peut répondre."}
    return {"open": False, "message": f"Hors heures d'ouverture ({hours.summary()}) : les entrepreneurs sont prévenus du délai."}
