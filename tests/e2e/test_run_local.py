"""`make run`'s launcher, as a deployer's service manager uses it: it says where to chat once
both servers answer, and a SIGTERM stops both servers, leaving nothing running."""

import os
import select
import signal
import socket
import subprocess
import time
from pathlib import Path

from ops.servers import BIN, REPO_ROOT, free_port, rest_message
from tests.e2e.conftest import MODEL


def accepts_connections(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(1)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def servers_of(launcher_pid: int) -> dict:
    """Every process of the servers the launcher started (each in a process group of its own,
    led by the launcher's child), as {pid: pidfd}: a pidfd becomes readable when its process ends."""
    stats = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue  # ended meanwhile
            stats[int(entry.name)] = (int(fields[1]), int(fields[2]))  # parent, process group
    leaders = {pid for pid, (parent, _) in stats.items() if parent == launcher_pid}
    return {pid: os.pidfd_open(pid) for pid, (_, group) in stats.items() if group in leaders}


def still_running(pidfds: dict, timeout: float) -> list:
    """Awaits the end of these processes; the pids of those still running after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    running = set(pidfds.values())
    while running and time.monotonic() < deadline:
        ended, _, _ = select.select(list(running), [], [], deadline - time.monotonic())
        running -= set(ended)
    return [pid for pid, pidfd in pidfds.items() if pidfd in running]


def test_the_launcher_prints_where_to_chat_and_sigterm_stops_both_servers(tmp_path):
    rasa_port, action_port = free_port(), free_port()
    env = {
        **os.environ,
        "RASA_AUTH_TOKEN": "launcher-test",
        "PYTHONPATH": str(REPO_ROOT),
        "TRACKER_DB_URL": f"sqlite:///{tmp_path / 'tracker.db'}",
        "CONSEILLER_DATABASE_URL": f"sqlite:///{tmp_path / 'tickets.db'}",
    }
    launcher = subprocess.Popen(
        [
            str(BIN / "python"),
            "-m",
            "ops.run_local",
            "--rasa-port",
            str(rasa_port),
            "--action-port",
            str(action_port),
            "--model",
            str(MODEL),
        ],
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    servers = {}
    try:
        printed = ""
        while "prêt" not in printed:
            line = launcher.stdout.readline()
            assert line, f"the launcher stopped before being ready:\n{printed}"
            printed += line
        printed += "".join(launcher.stdout.readline() for _ in range(3))
        assert f"http://localhost:{rasa_port}/demo/" in printed and "make shell" in printed
        assert "bonjour" in rest_message(f"http://127.0.0.1:{rasa_port}", "launcher", "bonjour")[0]["text"].lower()
        assert accepts_connections(action_port)
        servers = servers_of(launcher.pid)
        assert len(servers) >= 2, servers  # the Rasa server and the action server

        launcher.send_signal(signal.SIGTERM)
        assert launcher.wait(timeout=40) == 0
        assert still_running(servers, timeout=20) == [], "server processes outlived the launcher"
        assert not accepts_connections(rasa_port) and not accepts_connections(action_port)
    finally:
        if launcher.poll() is None:
            launcher.kill()
        for pidfd in servers.values():
            os.close(pidfd)
