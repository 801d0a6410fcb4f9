"""The action server: rasa_sdk's, bound to 127.0.0.1 and answering only the Rasa server.

Whoever reaches the action server can create tickets and erase conversations with a forged
tracker, so every call but /health must carry the shared secret the Rasa server sends
(endpoints.yml: "Authorization: Bearer ${ACTION_SERVER_TOKEN}"). Listening on another
address than the loopback is refused without that secret.
"""

import argparse
import hmac
import ipaddress
import logging
import os
import sys

from sanic import Sanic, response
from sanic.request import Request

from bot.adapters import json_logs

logger = logging.getLogger(__name__)


def build_app(token: str) -> Sanic:
    # Imported here, once main() has set up logging: what rasa_sdk and the actions log or
    # warn while loading is formatted like the rest (LOG_FORMAT=json included).
    from rasa_sdk.endpoint import create_app

    app = create_app("actions", cors_origins=None)
    expected = f"Bearer {token}"

    @app.middleware("request")
    async def require_token(request: Request):
        if request.path == "/health":
            return None
        if not hmac.compare_digest(request.headers.get("authorization", ""), expected):
            return response.json({"error": "Accès refusé."}, status=403)
        return None

    @app.exception(Exception)
    async def failure(request: Request, exception: Exception):
        # rasa_sdk's own handler logs and returns the whole request body (the owner's
        # conversation): only the kind of fault goes out here.
        logger.error("Action call failed: %s", type(exception).__name__, exc_info=exception)
        return response.json({"error": type(exception).__name__}, status=500)

    return app


def is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default=os.environ.get("ACTION_SERVER_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("ACTION_PORT", "5055")))
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s - %(message)s")
    json_logs.install_if_enabled()  # LOG_FORMAT=json: one JSON object per line
    token = os.environ.get("ACTION_SERVER_TOKEN", "")
    if len(token) < 16:
        sys.exit(
            "ACTION_SERVER_TOKEN (16 characters or more) is required: the Rasa server sends it with every "
            "action call (endpoints.yml); `make run` generates one for each run (ops/servers.py)."
        )
    if not is_loopback(args.host):
        logger.info("Action server listening on %s: calls without the shared secret are refused", args.host)
    build_app(token).run(host=args.host, port=args.port, workers=1, access_log=False, motd=False)


if __name__ == "__main__":
    main()
