"""Starting and stopping the action server and the Rasa server as child processes."""

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from typing import Dict, Iterator, List, Optional

REPO_ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_ready(url: str, process: subprocess.Popen, timeout: float, log: Path) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url} exited with code {process.returncode}; see {log}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, socket.timeout):
            pass
        time.sleep(0.3)
    raise TimeoutError(f"{url} not ready after {timeout:.0f} s; see {log}")


def stop(process: subprocess.Popen) -> None:
    stop_all([process])


def stop_all(processes: List[subprocess.Popen], timeout: float = 15) -> None:
    """Stops the processes (and their children) at once: SIGTERM to each, then SIGKILL to those
    still running `timeout` seconds later. Several servers stop in the time of the slowest."""
    running = [process for process in processes if process.poll() is None]
    for process in running:
        try:
            os.killpg(process.pid, signal.SIGTERM)
        except ProcessLookupError:  # ended meanwhile
            pass
    deadline = time.monotonic() + timeout
    for process in running:
        try:
            process.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            process.wait()


def start_process(command: List[str], env: Dict[str, str], log: Path) -> subprocess.Popen:
    """A child process in its own process group (`stop` ends it with its children), its output in `log`."""
    log.parent.mkdir(parents=True, exist_ok=True)
    handle = open(log, "w")
    return subprocess.Popen(
        command, cwd=REPO_ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT, start_new_session=True
    )


def server_environment(action_port: int, extra_env: Optional[Dict[str, str]] = None) -> Dict[str, str]:
    """The environment both servers share; secrets go through it, never the command line
    (which `ps` shows): the action server's shared secret is made once per run unless given."""
    env = dict(os.environ)
    env.update(extra_env or {})
    env["ACTION_SERVER_URL"] = f"http://127.0.0.1:{action_port}/webhook"
    env.setdefault("ACTION_SERVER_TOKEN", secrets.token_urlsafe(24))
    env["PYTHONPATH"] = str(REPO_ROOT)  # the model names rasa_addons.* components
    env.setdefault("TRACKER_DB_URL", f"sqlite:///{REPO_ROOT / 'var' / 'rasa-tracker.db'}")
    env.setdefault("RASA_TELEMETRY_ENABLED", "false")
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    env.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")
    return env


def start_action_server(env: Dict[str, str], action_port: int, log_dir: Path) -> subprocess.Popen:
    log = log_dir / "actions.log"
    process = start_process([str(BIN / "python"), "-m", "ops.action_server", "--port", str(action_port)], env, log)
    try:
        wait_until_ready(f"http://127.0.0.1:{action_port}/health", process, 60, log)
    except BaseException:
        stop(process)
        raise
    return process


def start_rasa_server(
    env: Dict[str, str],
    model: Path,
    rasa_port: int,
    auth_token: str,
    log_dir: Path,
    endpoints: str = "endpoints.yml",
    interface: Optional[str] = None,
) -> subprocess.Popen:
    """`endpoints`: endpoints.prod.yml for several servers (Redis lock store); `interface`: the
    address to listen on (Rasa's default: every interface)."""
    log = log_dir / "rasa.log"
    command = [
        str(BIN / "python"),
        "-m",
        "ops.rasa_server",
        "--model",
        str(model),
        "--port",
        str(rasa_port),
        "--endpoints",
        endpoints,
        "--credentials",
        "credentials.yml",
        *(["--interface", interface] if interface else []),
    ]
    process = start_process(command, {**env, "RASA_AUTH_TOKEN": auth_token}, log)
    try:
        # Rasa answers on / once the model is loaded; no token in this URL (errors print it).
        host = interface if interface and interface not in ("0.0.0.0", "::") else "127.0.0.1"
        wait_until_ready(f"http://{host}:{rasa_port}/", process, 180, log)
    except BaseException:
        stop(process)
        raise
    return process


@contextmanager
def assistant(
    model: Path,
    rasa_port: int,
    action_port: int,
    auth_token: str,
    log_dir: Path,
    extra_env: Optional[Dict[str, str]] = None,
) -> Iterator[str]:
    """Runs both servers; yields the Rasa server's base URL; stops both on exit."""
    env = server_environment(action_port, extra_env)
    actions = start_action_server(env, action_port, log_dir)
    try:
        rasa = start_rasa_server(env, model, rasa_port, auth_token, log_dir)
        try:
            yield f"http://127.0.0.1:{rasa_port}"
        finally:
            stop(rasa)
    finally:
        stop(actions)


def rest_message(base_url: str, sender: str, text: str, timeout: float = 30) -> List[dict]:
    """Sends one message through the REST channel; returns the bot's messages."""
    body = json.dumps({"sender": sender, "message": text}).encode()
    request = urllib.request.Request(f"{base_url}/webhooks/rest/webhook", body, {"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return json.loads(response.read())
