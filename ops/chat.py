"""`make shell`: a terminal chat with the running assistant, through the REST channel.

Buttons are shown as numbered choices: type the number or your own words.
"""

import argparse
import urllib.error
import uuid

from ops.servers import rest_message


def render(messages: list) -> list:
    choices = []
    for message in messages:
        if message.get("text"):
            print(f"\n🤖 {message['text']}")
        for index, button in enumerate(message.get("buttons") or [], 1):
            print(f"   {index}. {button['title']}")
            choices.append(button["payload"])
    return choices


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", default="http://127.0.0.1:5005")
    args = parser.parse_args()
    sender = f"terminal-{uuid.uuid4().hex[:8]}"
    print("Conversation avec le conseiller numérique (Ctrl-D pour quitter).")
    choices: list = []
    while True:
        try:
            text = input("\nVous > ").strip()
        except (EOFError, KeyboardInterrupt):
            print()
            return
        if not text:
            continue
        if text.isdigit() and choices and 1 <= int(text) <= len(choices):
            text = choices[int(text) - 1]
        try:
            choices = render(rest_message(args.url, sender, text))
        except (urllib.error.URLError, ConnectionError):
            print("Le conseiller ne répond pas : lancez d'abord `make run` dans un autre terminal.")


if __name__ == "__main__":
    main()
