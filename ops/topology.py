"""`make run PROFILE=prod`: several action servers and Rasa servers behind one nginx, on one machine.

    python -m ops.topology --rasa-servers 2 --action-servers 2 --port 8080

Starts nginx (deploy/nginx/conseiller.conf, rendered for the servers, in a folder of its own:
never the system's nginx service), then the action servers and the Rasa servers at once (the
same model and endpoints.prod.yml for each Rasa server), waits until each is ready, prints the
address, and stops everything on Ctrl-C or SIGTERM. PostgreSQL (TRACKER_DB_URL,
CONSEILLER_DATABASE_URL) and Redis (REDIS_URL) are the deployer's: this checks they answer, it
does not start them.

- Every Rasa server listens on 127.0.0.1 only (--bind): nginx is their only client, and they
  believe its X-Forwarded-* headers (TRUSTED_PROXY=1, SANIC_PROXIES_COUNT=1).
- The action servers sit behind nginx too, on an internal address (ACTION_SERVER_URL points
  there): any Rasa server's call goes to any live action server.
- Tests and benchmarks use `topology(...)`, a context manager, with free ports.
"""

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor, wait
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Dict, Iterator, List, Optional, Sequence
from urllib.parse import unquote, urlsplit

from ops.servers import (
    REPO_ROOT,
    free_port,
    server_environment,
    start_action_server,
    start_process,
    start_rasa_server,
    stop,
    stop_all,
)

NGINX_TEMPLATE = REPO_ROOT / "deploy" / "nginx" / "conseiller.conf"
PROD_ENDPOINTS = "endpoints.prod.yml"
# nginx marks a server unavailable after one failure, for this long (passive health check).
UPSTREAM_OPTIONS = "max_fails=1 fail_timeout=10s"
REQUIRED = ("TRACKER_DB_URL", "CONSEILLER_DATABASE_URL", "REDIS_URL")


class ConfigurationError(Exception):
    """What the deployer must set or fix, in French and in English."""


# The environment -------------------------------------------------------------------------------


def check_environment(env: Dict[str, str]) -> None:
    """Both databases in PostgreSQL, a Redis address: every server must share them."""
    missing = [name for name in REQUIRED if not env.get(name)]
    if missing:
        raise ConfigurationError(
            f"Profil de production : définissez {', '.join(missing)} (PostgreSQL et Redis, partagés par tous "
            f"les serveurs ; voir le README, « Production »).\n"
            f"Production profile: set {', '.join(missing)} (PostgreSQL and Redis, shared by every server)."
        )
    for name in ("TRACKER_DB_URL", "CONSEILLER_DATABASE_URL"):
        if not env[name].startswith(("postgresql://", "postgresql+psycopg2://")):
            raise ConfigurationError(
                f"Profil de production : {name} doit être une adresse postgresql://… (chaque serveur "
                f"y lit et écrit les mêmes données), pas « {urlsplit(env[name]).scheme}:… ».\n"
                f"Production profile: {name} must be a postgresql:// URL."
            )
    if urlsplit(env["REDIS_URL"]).scheme not in ("redis", "rediss"):
        raise ConfigurationError(
            "Profil de production : REDIS_URL doit être une adresse redis://hôte:port/base.\n"
            "Production profile: REDIS_URL must be a redis:// URL."
        )


def redis_environment(url: str) -> Dict[str, str]:
    """endpoints.prod.yml's lock store settings, from REDIS_URL (redis://[:password@]host[:port][/db])."""
    parts = urlsplit(url)
    database = parts.path.strip("/") or "0"
    return {
        "REDIS_HOST": parts.hostname or "localhost",
        "REDIS_PORT": str(parts.port or 6379),
        "REDIS_DB": database,
        "REDIS_PASSWORD": unquote(parts.password or ""),
    }


def check_services(env: Dict[str, str]) -> None:
    """PostgreSQL and Redis answer (else Rasa would wait for its database for ever)."""
    import redis
    from sqlalchemy import create_engine, text

    try:
        redis.Redis.from_url(env["REDIS_URL"], socket_connect_timeout=3).ping()
    except redis.RedisError as error:
        raise ConfigurationError(
            f"Redis ne répond pas à REDIS_URL ({type(error).__name__}).\nRedis does not answer at REDIS_URL."
        ) from error
    for name in ("TRACKER_DB_URL", "CONSEILLER_DATABASE_URL"):
        engine = create_engine(env[name], connect_args={"connect_timeout": 3})
        try:
            with engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except Exception as error:  # noqa: BLE001 (any refusal: the deployer must hear which one)
            raise ConfigurationError(
                f"PostgreSQL ne répond pas à {name} ({type(error).__name__}).\nPostgreSQL does not answer at {name}."
            ) from error
        finally:
            engine.dispose()


def production_environment(env: Dict[str, str], public_url: str) -> Dict[str, str]:
    """What every server of the topology shares, besides the deployer's environment."""
    from bot.security.secret_files import read_or_create

    shared = dict(env)
    for name, value in redis_environment(env["REDIS_URL"]).items():
        shared.setdefault(name, value)
    shared.setdefault("REDIS_KEY_PREFIX", "conseiller")
    if not shared["REDIS_KEY_PREFIX"].isalnum():
        raise ConfigurationError(
            "REDIS_KEY_PREFIX : des lettres et des chiffres seulement.\nREDIS_KEY_PREFIX: letters and digits only."
        )
    # Every server must sign and check the widget's sessions with the same key.
    if not shared.get("WIDGET_SESSION_SECRET"):
        shared["WIDGET_SESSION_SECRET"] = read_or_create(REPO_ROOT / "var" / "widget-session-secret")
    shared.setdefault("CONSOLE_PUBLIC_URL", public_url)
    # nginx is the servers' only client: its X-Forwarded-* headers are believed (the console's
    # origin and Secure cookie, the login throttle), and Sanic's request.remote_addr is the last
    # X-Forwarded-For entry, the address nginx saw (the gate's rate limits per address).
    shared["TRUSTED_PROXY"] = "1"
    shared["SANIC_PROXIES_COUNT"] = "1"
    return shared


# nginx -----------------------------------------------------------------------------------------


def render_nginx_config(
    rasa: Sequence[str],
    actions: Sequence[str],
    listen: str,
    action_listen: str,
    access_log: str = "/var/log/nginx/conseiller.access.log",
    template: Path = NGINX_TEMPLATE,
) -> str:
    """deploy/nginx/conseiller.conf for these Rasa and action servers ("host:port" each)."""

    def servers(addresses: Sequence[str]) -> str:
        return "\n".join(f"    server {address} {UPSTREAM_OPTIONS};" for address in addresses)

    text = template.read_text(encoding="utf-8")
    for name, value in {
        "rasa_servers": servers(rasa),
        "action_servers": servers(actions),
        "listen": listen,
        "action_listen": action_listen,
        "access_log": access_log,
    }.items():
        text = text.replace("{{" + name + "}}", value)
    return text


def nginx_binary() -> str:
    found = shutil.which("nginx") or next((path for path in ("/usr/sbin/nginx",) if os.path.exists(path)), None)
    if not found:
        raise ConfigurationError(
            "nginx est introuvable : make nginx (ou apt-get install nginx-light).\n"
            "nginx is not installed: make nginx (or apt-get install nginx-light)."
        )
    return found


def nginx_main_config(folder: Path, site: Path, error_log: Path) -> str:
    """A whole nginx configuration in `folder`: in the foreground, its pid and buffers there."""
    paths = "\n".join(
        f"    {kind}_temp_path {folder / kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return f"""# Generated by ops/topology.py: nginx for this run only (not the system's service).
daemon off;
worker_processes 1;
pid {folder / "nginx.pid"};
error_log {error_log} warn;
events {{
    worker_connections 1024;
}}
http {{
{paths}
    include {site};
}}
"""


def wait_for_port(port: int, process: subprocess.Popen, timeout: float, log: Path) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"nginx exited with code {process.returncode}; see {log}:\n{log.read_text()[-3000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"nginx not listening on {port} after {timeout:.0f} s; see {log}")


def start_nginx(folder: Path, site_config: str, ports: Sequence[int], log_dir: Path) -> subprocess.Popen:
    folder.mkdir(parents=True, exist_ok=True)
    # As root, nginx's workers run as its unprivileged user: they must reach the buffers' folders.
    folder.chmod(0o755)
    site = folder / "conseiller.conf"
    site.write_text(site_config, encoding="utf-8")
    main = folder / "nginx.conf"
    error_log = log_dir / "nginx-error.log"
    main.write_text(nginx_main_config(folder, site, error_log), encoding="utf-8")
    command = [nginx_binary(), "-p", str(folder), "-c", str(main), "-e", str(error_log)]
    checked = subprocess.run([*command, "-t", "-q"], capture_output=True, text=True)
    if checked.returncode != 0:
        raise RuntimeError(f"nginx refuses its configuration {main}:\n{checked.stderr}")
    log = log_dir / "nginx.log"
    process = start_process(command, dict(os.environ), log)
    try:
        for port in ports:
            wait_for_port(port, process, 15, log)
    except BaseException:
        stop(process)
        raise
    return process


# Readiness ------------------------------------------------------------------------------------


def wait_until_serving(url: str, process: subprocess.Popen, timeout: float, log: Path) -> None:
    """`url` answers 200, or 404 (a version without that route): a 503 (a database or Redis not
    reachable yet) or no answer keeps waiting."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url} exited with code {process.returncode}; see {log}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except urllib.error.HTTPError as error:
            if error.code == 404:
                return
        except (urllib.error.URLError, ConnectionError, socket.timeout):
            pass
        time.sleep(0.3)
    raise TimeoutError(f"{url} not ready after {timeout:.0f} s; see {log}")


def check_model_loaded(host: str, port: int, auth_token: str, log: Path) -> None:
    """Rasa answers on / even when its model failed to load: its /status says (409 without one).
    The token goes in the query, as Rasa wants it: this URL is never printed."""
    try:
        with urllib.request.urlopen(f"http://{host}:{port}/status?token={auth_token}", timeout=10):
            return
    except urllib.error.HTTPError as error:
        if error.code != 409:
            raise RuntimeError(
                f"The Rasa server on port {port} answered /status with {error.code}; see {log}"
            ) from None
    raise RuntimeError(f"The Rasa server on port {port} has no model loaded; see {log}")


def all_started(start: Callable[[int], subprocess.Popen], count: int, stack: ExitStack) -> List[subprocess.Popen]:
    """Starts `count` servers at once (each waits for its own readiness). Every one that started
    is stopped with the stack, also when another failed or Ctrl-C came meanwhile; all at once."""
    pool = ThreadPoolExecutor(max_workers=count)
    futures = [pool.submit(start, index) for index in range(count)]
    processes: List[subprocess.Popen] = []
    failure: Optional[BaseException] = None
    try:
        wait(futures)
    finally:
        for future in futures:
            try:
                processes.append(future.result())
            except BaseException as error:  # noqa: BLE001 (raised below, once the others are kept for stopping)
                failure = failure or error
        stack.callback(stop_all, processes)
        pool.shutdown()
    if failure is not None:
        raise failure
    return processes


# The topology ---------------------------------------------------------------------------------


@dataclass
class RunningServer:
    port: int
    process: subprocess.Popen
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@dataclass
class Topology:
    url: str  # nginx: the one public address
    action_url: str  # nginx's internal address in front of the action servers
    rasa: List[RunningServer] = field(default_factory=list)
    actions: List[RunningServer] = field(default_factory=list)
    nginx: Optional[subprocess.Popen] = None
    environment: Dict[str, str] = field(default_factory=dict)
    nginx_folder: Optional[Path] = None
    nginx_access_log: Optional[Path] = None  # which server answered each request


@contextmanager
def topology(
    model: Path,
    rasa_servers: int,
    action_servers: int,
    auth_token: str,
    log_dir: Path,
    port: Optional[int] = None,
    rasa_ports: Optional[Sequence[int]] = None,
    action_ports: Optional[Sequence[int]] = None,
    action_proxy_port: Optional[int] = None,
    extra_env: Optional[Dict[str, str]] = None,
    bind: str = "127.0.0.1",
) -> Iterator[Topology]:
    """Runs the action servers, nginx and the Rasa servers; yields them; stops them all on exit.

    The environment is the process's, updated by `extra_env`: TRACKER_DB_URL,
    CONSEILLER_DATABASE_URL and REDIS_URL are required there. Ports not given are free ones.
    """
    base = {**os.environ, **(extra_env or {})}
    check_environment(base)
    check_services(base)
    port = port or free_port()
    rasa_ports = list(rasa_ports or [free_port() for _ in range(rasa_servers)])
    action_ports = list(action_ports or [free_port() for _ in range(action_servers)])
    action_proxy_port = action_proxy_port or free_port()
    public_url = f"http://localhost:{port}"
    env = server_environment(action_proxy_port, production_environment(base, public_url))
    env.setdefault("ACTION_SERVER_HOST", bind)
    log_dir.mkdir(parents=True, exist_ok=True)

    with ExitStack() as stack:
        running = Topology(url=f"http://127.0.0.1:{port}", action_url=env["ACTION_SERVER_URL"], environment=env)
        # Stopped in the reverse order: the Rasa servers (nginx answers meanwhile, in French,
        # that the service is unavailable), nginx, then the action servers.
        action_stack, rasa_stack = ExitStack(), ExitStack()
        stack.enter_context(action_stack)

        folder = Path(tempfile.mkdtemp(prefix="conseiller-nginx-"))
        stack.callback(shutil.rmtree, folder, True)
        site = render_nginx_config(
            [f"{bind}:{number}" for number in rasa_ports],
            [f"{bind}:{number}" for number in action_ports],
            listen=str(port),
            action_listen=f"127.0.0.1:{action_proxy_port}",
            access_log=str(log_dir / "nginx-access.log"),
        )
        running.nginx = start_nginx(folder, site, [port, action_proxy_port], log_dir)
        running.nginx_folder = folder
        running.nginx_access_log = log_dir / "nginx-access.log"
        stack.callback(stop, running.nginx)
        stack.enter_context(rasa_stack)

        def action_server(index: int) -> subprocess.Popen:
            return start_action_server(env, action_ports[index], log_dir / f"actions-{index + 1}")

        def rasa_server(index: int) -> subprocess.Popen:
            folder = log_dir / f"rasa-{index + 1}"
            process = start_rasa_server(
                env, model, rasa_ports[index], auth_token, folder, endpoints=PROD_ENDPOINTS, interface=bind
            )
            try:
                check_model_loaded(bind, rasa_ports[index], auth_token, folder / "rasa.log")
                # The readiness route (database and Redis reachable) where this version has one.
                wait_until_serving(f"http://{bind}:{rasa_ports[index]}/ready", process, 60, folder / "rasa.log")
            except BaseException:
                stop(process)
                raise
            return process

        # Both kinds start at once: a Rasa server calls an action server only for a message.
        with ThreadPoolExecutor(max_workers=2) as pool:
            actions = pool.submit(all_started, action_server, action_servers, action_stack)
            rasas = pool.submit(all_started, rasa_server, rasa_servers, rasa_stack)
            wait([actions, rasas])
        running.actions = [
            RunningServer(action_ports[index], process, log_dir / f"actions-{index + 1}" / "actions.log")
            for index, process in enumerate(actions.result())
        ]
        running.rasa = [
            RunningServer(rasa_ports[index], process, log_dir / f"rasa-{index + 1}" / "rasa.log")
            for index, process in enumerate(rasas.result())
        ]
        yield running


# `make run PROFILE=prod` ----------------------------------------------------------------------


def print_nginx_config(args: argparse.Namespace) -> None:
    def addresses(value: str) -> List[str]:
        return [part.strip() for part in value.split(",") if part.strip()]

    print(
        render_nginx_config(
            addresses(args.rasa), addresses(args.actions), listen=str(args.port), action_listen=args.action_listen
        )
    )


def ports_from(first: int, count: int) -> List[int]:
    return list(range(first, first + count))


def main(argv: Optional[List[str]] = None) -> None:
    from ops.run_local import auth_token, messaging_channels

    parser = argparse.ArgumentParser(description="Conseiller numérique on several servers behind nginx.")
    parser.add_argument("--rasa-servers", type=int, default=2)
    parser.add_argument("--action-servers", type=int, default=2)
    parser.add_argument("--port", type=int, default=8080, help="nginx's public port")
    parser.add_argument("--rasa-port", type=int, default=5005, help="the first Rasa server's port (then +1…)")
    parser.add_argument("--action-port", type=int, default=5055, help="nginx's internal port for the action servers")
    parser.add_argument("--bind", default="127.0.0.1", help="the address the servers listen on")
    parser.add_argument("--model", default="models/conseiller.tar.gz")
    parser.add_argument("--print-nginx-config", action="store_true", help="print the nginx configuration and exit")
    parser.add_argument("--rasa", default="127.0.0.1:5005,127.0.0.1:5006", help="with --print-nginx-config")
    parser.add_argument("--actions", default="127.0.0.1:5056,127.0.0.1:5057", help="with --print-nginx-config")
    parser.add_argument("--action-listen", default="127.0.0.1:5055", help="with --print-nginx-config")
    args = parser.parse_args(argv)
    if args.print_nginx_config:
        print_nginx_config(args)
        return
    if args.rasa_servers < 1 or args.action_servers < 1:
        parser.error("--rasa-servers and --action-servers: 1 or more")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    rasa_ports = ports_from(args.rasa_port, args.rasa_servers)
    action_ports = ports_from(args.action_port + 1, args.action_servers)
    if not os.environ.get("REST_CHANNEL_TOKEN"):
        print("Attention : REST_CHANNEL_TOKEN n'est pas défini, le canal REST est ouvert à tous (README).")
    print(
        f"Démarrage de {args.action_servers} serveur(s) d'actions, de nginx et de {args.rasa_servers} "
        "serveur(s) Rasa (environ une minute)…",
        flush=True,
    )
    try:
        with topology(
            Path(args.model),
            args.rasa_servers,
            args.action_servers,
            auth_token(),
            REPO_ROOT / "var" / "logs",
            port=args.port,
            rasa_ports=rasa_ports,
            action_ports=action_ports,
            action_proxy_port=args.action_port,
            bind=args.bind,
        ) as running:
            public = running.environment["CONSOLE_PUBLIC_URL"]
            servers = ", ".join(server.url for server in running.rasa)
            print(
                f"\nLe conseiller numérique est prêt, derrière nginx : {public}\n"
                f"  • site de démonstration : {public}/demo/\n"
                f"  • console des conseillers : {public}/console/ (compte : make advisor EMAIL=… NAME=…)\n"
                f"  • serveurs Rasa : {servers} ; serveurs d'actions derrière {running.action_url}\n"
                f"  • journaux : var/logs/ (un dossier par serveur, nginx.log) ; configuration nginx : "
                f"{running.nginx_folder}\n"
                f"{messaging_channels(public)}"
                "Ctrl-C pour arrêter.",
                flush=True,
            )
            try:
                while True:
                    time.sleep(3600)
            except KeyboardInterrupt:
                print("\nArrêt…")
    except ConfigurationError as error:
        sys.exit(str(error))


if __name__ == "__main__":
    main()
