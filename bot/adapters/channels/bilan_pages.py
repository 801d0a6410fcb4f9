"""The owner's bilan, served by the Rasa server: /bilan/<id> (a page) and /bilan/<id>.pdf.

Anyone holding the address may open it (the owner shows it to an associate, an accountant):
the id is 128 random bits, so addresses cannot be guessed, and the page never shows contact
details. It is kept out of search engines and caches, and its address out of the Referer
sent to the resources it links to. An unknown, unfinished or erased diagnostic gets a 404.
"""

import asyncio
import logging
from pathlib import Path

from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from sqlalchemy.exc import SQLAlchemyError

from bot.adapters.channels.gate import gate
from bot.adapters.diagnostics import diagnostic_repository
from bot.advice.catalogue import load_catalogue
from bot.advice.figures import load_figures
from bot.diagnostic.questionnaire import load_questionnaire
from bot.language.inbound import reply
from bot.report.bilan import Bilan, build_bilan
from bot.report.page import not_found_page, render_page, unavailable_page
from bot.report.pdf import render_pdf
from bot.report.records import looks_like_bilan_id
from bot.report.wording import load_wording

logger = logging.getLogger(__name__)

STYLESHEET = Path(__file__).resolve().parent.parent / "web" / "bilan.css"
PRIVATE_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self' data:; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
    "X-Content-Type-Options": "nosniff",
    "X-Robots-Tag": "noindex, nofollow",
    # Private to the owner's browser: no shared cache keeps it, no stale copy after erasure.
    "Cache-Control": "no-store, private",
    "Referrer-Policy": "no-referrer",
}


def bilan_of(bilan_id: str) -> "Bilan | None":
    """The bilan of a completed diagnostic, with the progress since the owner's previous one."""
    repository = diagnostic_repository()
    record = repository.completed_bilan(bilan_id)
    if record is None:
        return None
    previous = repository.previous_completed(record)
    return build_bilan(record, load_questionnaire(), load_figures(), load_catalogue(), load_wording(), previous)


def add_bilan_routes(blueprint: Blueprint) -> None:
    """Registers the bilan's page, its PDF and its stylesheet on the console's blueprint."""

    @blueprint.route("/bilan/bilan.css", methods=["GET"])
    async def stylesheet(_: Request) -> HTTPResponse:
        return await response.file(STYLESHEET, headers={"Cache-Control": "public, max-age=300"})

    @blueprint.route("/bilan/<name:str>", methods=["GET"])
    async def bilan_page(request: Request, name: str) -> HTTPResponse:
        wants_pdf = name.endswith(".pdf")
        bilan_id = name[: -len(".pdf")] if wants_pdf else name
        if not gate.address_allowed(request.remote_addr or request.ip):
            return response.text(reply("too_fast"), status=429, headers=PRIVATE_HEADERS)
        try:
            bilan = await asyncio.to_thread(bilan_of, bilan_id) if looks_like_bilan_id(bilan_id) else None
        except SQLAlchemyError:
            logger.exception("The bilan could not be read")
            return response.html(unavailable_page(), status=503, headers={**PRIVATE_HEADERS, "Retry-After": "120"})
        if bilan is None:
            return response.html(not_found_page(), status=404, headers=PRIVATE_HEADERS)
        if wants_pdf:
            pdf = await asyncio.to_thread(render_pdf, bilan)
            return response.raw(
                pdf,
                content_type="application/pdf",
                headers={**PRIVATE_HEADERS, "Content-Disposition": 'inline; filename="bilan-numerique.pdf"'},
            )
        return response.html(render_page(bilan, pdf_url=f"/bilan/{bilan_id}.pdf"), headers=PRIVATE_HEADERS)
