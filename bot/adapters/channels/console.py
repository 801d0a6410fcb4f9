"""The advisor console, the demo page and the widget's files, served by the Rasa server.

Registered as a Rasa input channel (credentials.yml) because that is how Rasa lets a
project add routes to its own Sanic server: no second web server to run. It receives no
owner messages itself; the widget talks through `bot.adapters.channels.webchat`.
"""

import asyncio
import logging
import re
from datetime import datetime
from functools import wraps
from pathlib import Path
from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.adapters import advisors
from bot.adapters.channels.bilan_pages import add_bilan_routes
from bot.adapters.channels.console_dashboard import add_dashboard_routes
from bot.adapters.channels.console_inbox import add_inbox_routes
from bot.adapters.channels.gate import gate, secret_from
from bot.adapters.channels.json_api import error, json_body
from bot.adapters.channels.live import hub
from bot.adapters.channels.webchat import SESSION_COOKIE
from bot.adapters.console_views import history_messages, ticket_detail, ticket_summary
from bot.handover.records import STATUS_FILTERS, Advisor, TicketStateError
from bot.labels import load_labels
from bot.language.inbound import reply
from bot.security.web_session import sender_of
from bot.settings import load_settings

logger = logging.getLogger(__name__)

WEB = Path(__file__).resolve().parent.parent / "web"
PRIVACY_PAGE = WEB / "privacy.html"
STATIC_FILES = {
    "widget/widget.js": WEB / "static" / "widget.js",
    "widget/widget.css": WEB / "static" / "widget.css",
    "widget/vendor/socket.io.min.js": WEB / "static" / "vendor" / "socket.io.min.js",
    "console/console.js": WEB / "console" / "console.js",
    "console/console.css": WEB / "console" / "console.css",
    "console/dashboard.js": WEB / "console" / "dashboard.js",
    "console/dashboard.css": WEB / "console" / "dashboard.css",
    "console/inbox.js": WEB / "console" / "inbox.js",
    "console/inbox.css": WEB / "console" / "inbox.css",
}
# The pages load only their own files; the console cannot be framed by another site.
PAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:; "
    "style-src 'self'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}
MAX_MESSAGE_LENGTH = 4000
# Sent by the console's script with every call: a form of another site cannot send it, and a
# script of another site cannot without the server's consent (CORS), which it never gives
# with cookies. Checked, with the Origin header, on every call that changes something.
CONSOLE_HEADER, CONSOLE_HEADER_VALUE = "X-Requested-With", "conseiller-console"


DEMO_HEADERS = {
    **PAGE_HEADERS,
    "Content-Security-Policy": PAGE_HEADERS["Content-Security-Policy"].replace(
        "style-src 'self'", "style-src 'self' 'unsafe-inline'"
    ),
}  # the demo page has its own <style>


class ConsoleInput(InputChannel):
    @classmethod
    def name(cls) -> Text:
        return "console"

    def url_prefix(self) -> Text:
        return "/"  # Rasa joins it to /webhooks/: an absolute path puts the routes at the root

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        blueprint = Blueprint("conseiller_console", __name__)

        hub.remember_app(blueprint)
        widget_secret = secret_from("WIDGET_SESSION_SECRET", "widget-session-secret")

        def signed_in(handler):
            @wraps(handler)
            async def checked(request: Request, *args, **kwargs):
                advisor = await asyncio.to_thread(hub.accounts.advisor_for, request.cookies.get(SESSION_COOKIE))
                if advisor is None:
                    return error(401, "Votre session a expiré ou vous n'êtes pas connecté : connectez-vous.")
                return await handler(request, advisor, *args, **kwargs)

            return checked

        def from_the_console(handler):
            """Refuses a call that changes something unless the console's own page made it."""

            @wraps(handler)
            async def checked(request: Request, *args, **kwargs):
                if request.headers.get(CONSOLE_HEADER) != CONSOLE_HEADER_VALUE or not advisors.same_origin(
                    request.headers.get("origin"), request.scheme, request.headers
                ):
                    logger.warning("Console call %s refused: origin %s", request.path, request.headers.get("origin"))
                    return error(
                        403, "Requête refusée : elle ne vient pas de la console. Rechargez la page de la console."
                    )
                return await handler(request, *args, **kwargs)

            return checked

        async def state_change(change, ticket_id: int, advisor) -> HTTPResponse:
            try:
                await change(ticket_id, advisor)
            except TicketStateError as refusal:
                return error(409, str(refusal))
            ticket = await asyncio.to_thread(hub.tickets.get_with_events, ticket_id)
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

        @blueprint.route("/confidentialite", methods=["GET"], strict_slashes=False)
        async def privacy_page(_: Request) -> HTTPResponse:
            """What owners read about their data, with this deployment's retention period."""
            days = load_settings().retention_days
            page = PRIVACY_PAGE.read_text(encoding="utf-8")
            page = re.sub(
                r'(<strong id="duree-conservation">).*?(</strong>)',
                rf"\g<1>{days} jours\g<2>",
                page,
                count=1,
                flags=re.DOTALL,
            )
            return response.html(page, headers={**DEMO_HEADERS, "Cache-Control": "no-cache"})

        @blueprint.route("/console", methods=["GET"], strict_slashes=False)
        async def console_page(_: Request) -> HTTPResponse:
            return await response.file(
                WEB / "console" / "index.html", headers={**PAGE_HEADERS, "Cache-Control": "no-store"}
            )

        @blueprint.route("/<folder:widget|console>/<name:path>", methods=["GET"])
        async def static(request: Request, folder: str, name: str) -> HTTPResponse:
            if folder == "console" and name in ("", "index.html"):  # this route also matches "/console/"
                return await console_page(request)
            path = STATIC_FILES.get(f"{folder}/{name}")
            if path is None or not path.exists():
                return error(404, "Fichier introuvable.")
            return await response.file(path, headers={"Cache-Control": "public, max-age=300"})

        # The widget's history ------------------------------------------------------------
        @blueprint.route("/chat/history", methods=["POST", "OPTIONS"])
        async def history(request: Request) -> HTTPResponse:
            """The widget's conversation, for the signed session token sent as the body.

            A plain-text POST: any site embedding the widget may ask without a preflight,
            and the token stays out of URLs (and so out of proxies' logs)."""
            headers = {"Access-Control-Allow-Origin": "*", "Cache-Control": "no-store"}
            if not gate.address_allowed(request.remote_addr or request.ip):
                return response.json({"messages": [], "error": reply("too_fast")}, status=429, headers=headers)
            agent = hub.agent
            sender_id = sender_of(request.body.decode("utf-8", "replace").strip(), widget_secret)
            if request.method == "OPTIONS" or agent is None or sender_id is None:
                return response.json({"messages": []}, headers=headers)
            tracker = await agent.tracker_store.retrieve(sender_id)
            events = [event.as_dict() for event in tracker.events] if tracker is not None else []
            return response.json({"messages": history_messages(events)}, headers=headers)

        # The console's API ----------------------------------------------------------------
        @blueprint.route("/console/api/login", methods=["POST"])
        @from_the_console
        async def login(request: Request) -> HTTPResponse:
            body = json_body(request)
            email = str(body.get("email") or "").strip().lower()
            password = str(body.get("password") or "")
            address = advisors.client_address(request.remote_addr or request.ip, request.headers)
            settings = load_settings()
            try:
                token = await asyncio.to_thread(
                    hub.accounts.log_in, email, password, settings.session_hours, address=address
                )
            except advisors.LoginThrottled:
                return error(429, "Trop de tentatives : réessayez dans un quart d'heure.")
            if token is None:
                return error(401, "E-mail ou mot de passe incorrect.")
            advisor = await asyncio.to_thread(hub.accounts.advisor_for, token)
            answer = response.json({"advisor": advisor_json(advisor)})
            answer.cookies[SESSION_COOKIE] = token
            cookie = answer.cookies[SESSION_COOKIE]
            cookie["httponly"] = True
            cookie["samesite"] = "Strict"
            cookie["path"] = "/"
            cookie["max-age"] = int(settings.session_hours * 3600)
            # Secure when the browser reaches the server over TLS, itself or through a trusted proxy.
            if advisors.own_origin(request.scheme, request.headers).startswith("https://"):
                cookie["secure"] = True
            return answer

        @blueprint.route("/console/api/logout", methods=["POST"])
        @from_the_console
        async def logout(request: Request) -> HTTPResponse:
            token = request.cookies.get(SESSION_COOKIE)
            await asyncio.to_thread(hub.accounts.log_out, token)
            await hub.session_ended(token)  # its live connections on this server close now
            answer = response.json({"ok": True})
            del answer.cookies[SESSION_COOKIE]
            return answer

        @blueprint.route("/console/api/me", methods=["GET"])
        @signed_in
        async def me(_: Request, advisor) -> HTTPResponse:
            return response.json({"advisor": advisor_json(advisor)})

        @blueprint.route("/console/api/labels", methods=["GET"])
        @signed_in
        async def labels(_: Request, advisor) -> HTTPResponse:
            """The French names of sectors, levels, dimensions, needs, statuses, events… (labels.yml)."""
            return response.json({"labels": load_labels().as_json()})

        @blueprint.route("/console/api/tickets", methods=["GET"])
        @signed_in
        async def tickets(request: Request, advisor) -> HTTPResponse:
            status = request.args.get("status", "open")
            if status not in STATUS_FILTERS:
                return error(400, "Statut inconnu.")
            found = await asyncio.to_thread(hub.tickets.by_status, status)
            return response.json(
                {"tickets": [ticket_summary(t) for t in found], "office": office_line(datetime.utcnow())}
            )

        @blueprint.route("/console/api/tickets/<ticket_id:int>", methods=["GET"])
        @signed_in
        async def ticket(_: Request, advisor, ticket_id: int) -> HTTPResponse:
            found = await asyncio.to_thread(hub.tickets.get_with_events, ticket_id)
            if found is None:
                return error(404, f"La demande n° {ticket_id} n'existe pas (ou a été effacée).")
            return response.json({"ticket": ticket_detail(found, await conversation_of(found))})

        @blueprint.route("/console/api/tickets/<ticket_id:int>/<change:take|handback|close>", methods=["POST"])
        @from_the_console
        @signed_in
        async def change_status(_: Request, advisor, ticket_id: int, change: str) -> HTTPResponse:
            changes = {"take": hub.take, "handback": hub.hand_back, "close": hub.close}
            return await state_change(changes[change], ticket_id, advisor)

        @blueprint.route("/console/api/tickets/<ticket_id:int>/message", methods=["POST"])
        @from_the_console
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
            except TicketStateError as refusal:
                return error(409, str(refusal))
            return response.json({"ok": True})

        # The other pages of the console, and the owners' bilans, each in its own module.
        add_dashboard_routes(blueprint, signed_in, from_the_console)
        add_inbox_routes(blueprint, signed_in, from_the_console)
        add_bilan_routes(blueprint)
        return blueprint


def advisor_json(advisor: Advisor) -> Dict[str, Any]:
    # The id tells the console which live tickets are its own (two accounts may share a name);
    # the role, whether it shows the dashboard's tab (the API checks it again).
    return {"id": advisor.id, "name": advisor.name, "email": advisor.email, "role": advisor.role}


def office_line(now: datetime) -> Dict[str, Any]:
    hours = load_settings().office_hours
    if hours.is_open(now):
        return {
            "open": True,
            "message": "Heures d'ouverture : les entrepreneurs sont informés qu'un conseiller peut répondre.",
        }
    return {
        "open": False,
        "message": f"Hors heures d'ouverture ({hours.summary()}) : les entrepreneurs sont prévenus du délai.",
    }
