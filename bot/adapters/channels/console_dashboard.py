"""The deployer's dashboard in the advisor console: /console/api/dashboard/… (managers only).

    GET /console/api/dashboard?from=2026-03-01&to=2026-03-31&sector=crafts&size=from_2_to_9&channel=whatsapp
        every table, as JSON (bot.adapters.dashboard.dashboard)
    GET /console/api/dashboard/<table>.csv?…   one table as a CSV file for Excel

Every parameter is optional: the last 30 days, all sectors, sizes and channels. The days are
those of the deployment's time zone (advisors.timezone in bot/data/settings.yml).
"""

import asyncio
from datetime import datetime
from functools import wraps

from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.adapters import dashboard
from bot.adapters.channels.json_api import error
from bot.report.dashboard import TABLES, FilterError, csv_bytes, csv_file_name, parse_filter, table_rows
from bot.settings import load_settings

MANAGERS_ONLY = (
    "Le tableau de bord est réservé aux responsables. Demandez à l'administrateur de la console de vous donner ce rôle."
)


def _period(request: Request):
    """The filter of the request's parameters (FilterError: a French message for a 400)."""
    zone = load_settings().office_hours.zone
    args = {name: request.args.get(name) for name in ("from", "to", "sector", "size", "channel")}
    return parse_filter(args, datetime.now(zone).date(), zone)


def add_dashboard_routes(blueprint: Blueprint, signed_in, from_the_console) -> None:
    """Registers the dashboard's API on the console's blueprint. Reading only: nothing here
    changes anything, so `from_the_console` is not needed (the session cookie is SameSite)."""

    def managers_only(handler):
        @wraps(handler)
        async def checked(request: Request, advisor, *args, **kwargs):
            if not advisor.is_manager:
                return error(403, MANAGERS_ONLY)
            return await handler(request, advisor, *args, **kwargs)

        return checked

    @blueprint.route("/console/api/dashboard", methods=["GET"])
    @signed_in
    @managers_only
    async def dashboard_tables(request: Request, advisor) -> HTTPResponse:
        try:
            period = _period(request)
        except FilterError as refusal:
            return error(400, str(refusal))
        tables = await asyncio.to_thread(dashboard.dashboard, period)
        return response.json(tables, headers={"Cache-Control": "no-store"})

    @blueprint.route(r"/console/api/dashboard/<file:[a-z_]+\.csv>", methods=["GET"])
    @signed_in
    @managers_only
    async def dashboard_csv(request: Request, advisor, file: str) -> HTTPResponse:
        name = file[: -len(".csv")]
        if name not in TABLES:
            return error(404, f"Tableau inconnu : « {name} » (tableaux : {', '.join(TABLES)}).")
        try:
            period = _period(request)
        except FilterError as refusal:
            return error(400, str(refusal))
        table = await asyncio.to_thread(dashboard.QUERIES[name], period, None)
        return response.raw(
            csv_bytes(*table_rows(name, table)),
            content_type="text/csv; charset=utf-8",
            headers={
                "Content-Disposition": f'attachment; filename="{csv_file_name(name, period)}"',
                "Cache-Control": "no-store",
                "X-Content-Type-Options": "nosniff",
            },
        )
