"""`make run`: starts the action server and the Rasa server, prints how to chat."""

import argparse
import os
import signal
import sys
import time
from pathlib import Path

from bot.labels import load_labels
from bot.messaging.platforms import CHANNEL_VARIABLES, channels_on
from ops.servers import REPO_ROOT, assistant


def auth_token() -> str:
    token = os.environ.get("RASA_AUTH_TOKEN")
    if token:
        return token
    return (REPO_ROOT / "var" / "auth-token").read_text().strip()


def messaging_channels(url: str) -> str:
    """Which messaging channels are on (their variables set) and where their webhooks are."""
    on, titles = channels_on(os.environ), load_labels().channels
    lines = [f"  • {titles[name]} : {url}/webhooks/{name}/webhook\n" for name in on]
    off = [titles[name] for name in CHANNEL_VARIABLES if name not in on]
    if off:
        lines.append(f"  • canaux inactifs (variables d'environnement absentes, voir le README) : {', '.join(off)}\n")
    return "".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rasa-port", type=int, default=5005)
    parser.add_argument("--action-port", type=int, default=5055)
    parser.add_argument("--model", default="models/conseiller.tar.gz")
    args = parser.parse_args()
    # A service manager stops us with SIGTERM, not Ctrl-C: exit through the same path, so
    # that both servers are stopped too instead of running on as orphans.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    token = auth_token()
    print("Démarrage du conseiller numérique (une dizaine de secondes)…", flush=True)
    with assistant(Path(args.model), args.rasa_port, args.action_port, token, REPO_ROOT / "var" / "logs") as url:
        print(
            f"\nLe conseiller numérique est prêt.\n"
            f"  • discuter sur le site de démonstration : http://localhost:{args.rasa_port}/demo/\n"
            f"  • console des conseillers : http://localhost:{args.rasa_port}/console/ "
            f"(compte : make advisor EMAIL=… NAME=…)\n"
            f"  • discuter dans le terminal : make shell (dans un autre terminal)\n"
            f'  • canal REST : POST {url}/webhooks/rest/webhook  {{"sender": "moi", "message": "bonjour"}}\n'
            f"  • API HTTP : {url}/status?token=… (jeton dans RASA_AUTH_TOKEN ou var/auth-token)\n"
            f"  • journaux : var/logs/\n"
            f"{messaging_channels(url)}"
            "Ctrl-C pour arrêter.",
            flush=True,
        )
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            print("\nArrêt…")


if __name__ == "__main__":
    main()
