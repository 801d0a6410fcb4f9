"""The console's JSON conventions, shared by its pages' routes: a body read leniently, an error
answered as {"error": "<French message>"} with its status."""

from typing import Any, Dict

from sanic import response
from sanic.request import Request
from sanic.response import HTTPResponse


def json_body(request: Request) -> Dict[str, Any]:
    try:
        body = request.json
    except Exception:  # Sanic refuses malformed JSON with an exception: treat it as empty
        return {}
    return body if isinstance(body, dict) else {}


def error(status: int, message: str) -> HTTPResponse:
    return response.json({"error": message}, status=status)
