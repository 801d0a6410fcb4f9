"""The action server: rasa_sdk's, bound to 127.0.0.1 and answering only the Rasa server.

Whoever reaches the action server can create tickets and erase conversations with a forged
tracker, so every call but /health must carry the shared secret the Rasa server sends
(endpoints.yml: "Authorization: Bearer ${ACTION_SERVER_TOKEN}"). Listening on another
address than the loopback is refused without that secret.
"""

import argparse
import gc
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


def warm_up() -> None:
    """Loads, before the first call, what the actions otherwise load at their first use: the
    data files (a diagnostic's first answers and its results waited 100 to 200 ms more on each
    new action server) and our database, brought to its newest migration. A data file that
    does not load is logged here, at start, and answered in French at its use as before."""
    from bot.adapters import storage
    from bot.advice.catalogue import load_catalogue
    from bot.advice.figures import load_figures
    from bot.diagnostic.answer_reader import load_reader
    from bot.diagnostic.questionnaire import load_questionnaire
    from bot.labels import load_labels
    from bot.language.entities import default_vocabulary
    from bot.messages import load_messages
    from bot.report.wording import load_wording
    from bot.settings import load_settings

    loaders = [load_labels, load_messages, load_settings, load_questionnaire, load_reader, default_vocabulary]
    for load in [*loaders, load_catalogue, load_figures, load_wording, storage.engine]:
        try:
            load()
        except Exception as failure:  # noqa: BLE001 (the server starts; the action that needs it says so)
            logger.error("Could not load at start (%s): %s", load.__qualname__, failure)
    # What the start built lives as long as the process: frozen out of the collector's full
    # passes, which otherwise walked it all again (up to 70 ms, the action call waiting).
    gc.collect()
    gc.freeze()


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
    app = build_app(token)
    warm_up()
    app.run(host=args.host, port=args.port, workers=1, access_log=False, motd=False)


if __name__ == "__main__":
    main()
