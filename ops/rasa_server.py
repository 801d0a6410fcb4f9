"""`rasa run` with the HTTP API token read from the environment or a file, never from the
command line, where `ps` shows it to every user of the machine.

Usage: python -m ops.rasa_server [rasa run arguments…]; the token is RASA_AUTH_TOKEN, else
the content of the file RASA_AUTH_TOKEN_FILE (default var/auth-token). With LOG_FORMAT=json,
every log line is a JSON object (bot.adapters.json_logs).
"""

import gc
import os
import sys
from pathlib import Path
from typing import List

from bot.adapters import json_logs

REPO_ROOT = Path(__file__).resolve().parent.parent


def auth_token() -> str:
    token = os.environ.get("RASA_AUTH_TOKEN")
    if token:
        return token
    path = Path(os.environ.get("RASA_AUTH_TOKEN_FILE") or REPO_ROOT / "var" / "auth-token")
    if path.stat().st_mode & 0o077:
        path.chmod(0o600)  # made readable by others by an older version
    return path.read_text().strip()


def rasa_run_arguments(arguments: List[str], token: str) -> List[str]:
    """`rasa run` with the API on and its token. One argument, `--auth-token=…`: a token that
    starts with "-" (one generated token in 64) is otherwise read as an option, and Rasa refuses
    to start."""
    return ["rasa", "run", *arguments, "--enable-api", f"--auth-token={token}"]


def main() -> None:
    if os.environ.get("CONSEILLER_RASA_SPEEDUPS", "1") != "0":
        # Off while Rasa imports and loads the model: its full passes there freed next to nothing
        # and cost about a second; rasa_addons/speedups.py turns it on again once the model is
        # loaded, with what the start built frozen out of later passes.
        gc.disable()
    # LOG_FORMAT=json: JSON lines from the start; Rasa then sets up its own logging, and the
    # health channel makes it JSON again once that is done (bot.adapters.json_logs).
    json_logs.install_if_enabled()
    token = auth_token()
    os.environ.pop("RASA_AUTH_TOKEN", None)  # not inherited by anything Rasa starts
    # Rasa reads its arguments from sys.argv; /proc/<pid>/cmdline keeps the original ones.
    sys.argv = rasa_run_arguments(sys.argv[1:], token)
    from rasa.__main__ import main as rasa_main

    from rasa_addons import speedups

    speedups.install()  # CONSEILLER_RASA_SPEEDUPS=0: Rasa's own (the benchmark's baseline)
    rasa_main()


if __name__ == "__main__":
    main()
