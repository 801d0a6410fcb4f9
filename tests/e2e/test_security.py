"""What an outsider can reach, against the running servers: the action server answers only
the Rasa server, secrets stay out of process lists, a stale erasure confirmation confirms
nothing, and contact details are not kept without consent."""

import json
import os
import stat
import subprocess
import urllib.error
import urllib.request
from pathlib import Path

from bot.security.secret_files import read_or_create
from ops.servers import BIN, REPO_ROOT
from tests.e2e.conftest import TOKEN


def call_action_server(port: int, headers=None, host: str = "127.0.0.1"):
    body = json.dumps(
        {
            "next_action": "action_delete_my_data",
            "sender_id": "victim",
            "tracker": {
                "sender_id": "victim",
                "slots": {"pending_offer": "delete_my_data"},
                "latest_message": {},
                "events": [],
                "active_loop": {},
                "latest_action_name": None,
            },
            "domain": {},
            "version": "3.6.21",
        }
    ).encode()
    request = urllib.request.Request(
        f"http://{host}:{port}/webhook", body, {"Content-Type": "application/json", **(headers or {})}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status
    except urllib.error.HTTPError as error:
        return error.code


def test_the_action_server_refuses_calls_without_the_rasa_servers_secret(running_assistant):
    port = running_assistant.action_port
    assert call_action_server(port) == 403
    assert call_action_server(port, {"Authorization": "Bearer guessed-token-value"}) == 403
    # It listens on the loopback only.
    listening = Path("/proc/net/tcp").read_text().splitlines()[1:]
    local = [line.split()[1] for line in listening if line.split()[3] == "0A"]  # LISTEN
    addresses = {address.split(":")[0] for address in local if int(address.split(":")[1], 16) == port}
    assert addresses == {"0100007F"}  # 127.0.0.1


def test_no_secret_appears_on_a_command_line(running_assistant):
    secrets = {TOKEN}
    for process in Path("/proc").iterdir():
        if not process.name.isdigit():
            continue
        try:
            command = (process / "cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")
            environment = (process / "environ").read_bytes().split(b"\0")
        except OSError:
            continue
        if "ops.rasa_server" in command or "ops.action_server" in command:
            action_secret = next(
                (
                    entry.split(b"=", 1)[1].decode()
                    for entry in environment
                    if entry.startswith(b"ACTION_SERVER_TOKEN=")
                ),
                None,
            )
            secrets.add(action_secret)
            assert not any(secret and secret in command for secret in secrets), command
    assert len(secrets) > 1  # the servers were found


def test_secret_files_are_created_readable_by_their_owner_only(tmp_path):
    path = tmp_path / "var" / "auth-token"
    value = read_or_create(path)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600 and len(value) >= 32
    assert read_or_create(path) == value  # created once


def test_make_creates_the_api_token_file_with_mode_600(tmp_path):
    """`make run`'s recipe, run in an empty folder: the token file is its owner's only."""
    subprocess.run(
        [
            "make",
            "-s",
            "-f",
            str(REPO_ROOT / "Makefile"),
            "-C",
            str(tmp_path),
            "var/auth-token",
            f"PY={BIN / 'python'}",
            f"PYTHONPATH={REPO_ROOT}",
        ],
        check=True,
        capture_output=True,
    )
    path = tmp_path / "var" / "auth-token"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600 and len(path.read_text()) >= 32


def test_a_stale_erasure_confirmation_confirms_nothing(owner):
    owner.says("je suis boulanger à Lyon")
    owner.says("supprimez mes données")
    assert "Confirmez-vous" in owner.text
    owner.says("c'est quoi le cloud ?")  # the conversation moves on
    owner.says("oui")
    assert owner.slots["sector"] == "crafts"
    assert not any("effacé" in (event.get("text") or "") for event in owner.tracker()["events"])
    owner.says("supprimez mes données")  # asked again, confirmed at once: erased
    owner.says("oui")
    assert owner.slots["sector"] is None


def test_contact_details_given_then_refused_are_not_kept_anywhere_in_the_conversation(owner):
    owner.says("mon mail c'est contact@garage-exemple.fr et mon tel 06 39 98 45 67, rappelez-moi")
    assert owner.slots["requested_slot"] == "handoff_consent"
    owner.says("non")
    stored = json.dumps(owner.tracker()["events"], ensure_ascii=False)
    assert "garage-exemple" not in stored and "45 67" not in stored and "0639984567" not in stored
    assert "[e-mail masqué]" in stored


def test_the_data_protection_page_gives_this_deployments_retention_and_the_widget_links_to_it(server):
    with urllib.request.urlopen(f"{server}/confidentialite", timeout=10) as answer:
        page = answer.read().decode()
    assert "365 jours" in page and "supprimez mes données" in page
    with urllib.request.urlopen(f"{server}/widget/widget.js", timeout=10) as answer:
        assert '"/confidentialite"' in answer.read().decode()
