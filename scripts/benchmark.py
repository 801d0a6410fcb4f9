"""`make bench`: our assistant against a vanilla Rasa 3.6 baseline, in the same run.

    .venv/bin/python scripts/benchmark.py [--runs 3] [--ours auto|single|topology]
        [--conversations 20,100] [--alone 2] [--skip alone,100,vanilla] [--timeout 60]
        [--retrain [ours|vanilla]] [--vanilla-epochs N] [--json results/benchmark.json]
        [--doc docs/performance.md | --no-doc] [--doc-section bench]

Ours is models/conseiller.tar.gz (`make train`), started the `make run` way (`--ours single`:
one Rasa server, one action server, SQLite; endpoints.yml) or as the production topology (`--ours
topology`, what `--ours auto` picks where nginx, PostgreSQL and Redis are there: `--rasa-servers`
Rasa servers and `--action-servers` action servers behind nginx, PostgreSQL and a Redis lock
store; ops/topology.py, endpoints.prod.yml, on a throwaway database of the machine's PostgreSQL
and BENCH_REDIS_URL). Vanilla is Rasa's default pipeline and policies
with `language: fr` (bench/vanilla-config.yml), trained on our data/ and domain.yml once and
cached as models/vanilla-<hash>.tar.gz (its training time in the JSON beside it), served the
`make run` way. Both run our action server's code and credentials.yml (our REST channel, with a
REST_CHANNEL_TOKEN as in production). The owners' rate limits are raised for the run
(var/bench/settings.yml): every simulated owner comes from 127.0.0.1.

Each run starts one assistant, measures it, stops it, then the other (ours, vanilla, ours,
vanilla…); each figure is the median of the runs. Per run and assistant: start-up time (process
start to ready: GET / answers 200, or /ready where it exists; with the topology, from starting
it to every Rasa server ready), one warm-up diagnostic (its first reply is the "first reply after
start-up"), `--alone` whole diagnostics one after another (p50, p95 per message), then each
`--conversations` level: that many owners at once, each doing a whole diagnostic through POST
/webhooks/rest/webhook in a closed loop (scripts/bench_load.py): p50, p95, messages per second
(messages answered / wall time of the phase), errors (HTTP error, timeout, empty reply,
conversation not completed), and the CPU time per message answered of the Rasa servers, of the
action servers (and nginx), and of the load generator (this process, on the same cores as the
servers); with the topology also PostgreSQL's and Redis's CPU per message (all their processes on
the machine) and their transactions and commands per message (pg_stat_database, INFO stats).
Then the resident memory of each Rasa server's process tree (VmRSS, and VmHWM for the peak).

Prints a table and issue 14's targets, writes the raw figures to results/benchmark.json and the
generated part of docs/performance.md (between <!-- bench:start --> and <!-- bench:end -->, or
the markers of --doc-section; the rest of the file is hand-written and kept), with a capacity
estimate for 10,000 owners chatting at once. Every server started is stopped at the end, on
failure and on Ctrl-C too. Logs: var/bench/<date>/.
"""

import argparse
import asyncio
import hashlib
import json
import math
import os
import platform
import secrets
import shlex
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from importlib.metadata import version
from pathlib import Path
from typing import Callable, Dict, Iterator, List, Optional, Sequence, Tuple

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import yaml  # noqa: E402

from ops.servers import (  # noqa: E402
    BIN,
    free_port,
    server_environment,
    start_action_server,
    start_rasa_server,
    stop,
)
from scripts.bench_load import PhaseStats, run_phase  # noqa: E402

MODELS = REPO / "models"
OURS_MODEL = MODELS / "conseiller.tar.gz"
# Written by `make train` (the Makefile): the seconds the last training of OURS_MODEL took.
OURS_TRAIN_RECORD = MODELS / "conseiller.train-seconds"
VANILLA_CONFIG = REPO / "bench" / "vanilla-config.yml"
BENCH_DIR = REPO / "var" / "bench"
RETRAINED_OURS = BENCH_DIR / "retrain" / "conseiller.tar.gz"
DEFAULT_JSON = REPO / "results" / "benchmark.json"
DEFAULT_DOC = REPO / "docs" / "performance.md"
# The generated part of the document sits between these markers; --doc-section NAME writes
# between <!-- NAME:start --> and <!-- NAME:end --> instead (a second setup beside the first).
DOC_SECTION = "bench"


def markers(section: str = DOC_SECTION) -> Tuple[str, str]:
    return f"<!-- {section}:start -->", f"<!-- {section}:end -->"


ASSISTANTS = ("ours", "vanilla")

# The capacity estimate (docs/performance.md): owners chatting at once, each sending a message
# every 20 to 30 seconds (reading the reply, typing the next one).
CAPACITY_OWNERS = 10_000
SECONDS_BETWEEN_MESSAGES = (20, 25, 30)
# Per message, where the benchmark cannot measure them (no topology): the Rasa server reads the
# conversation from the tracker store and writes its new events (two PostgreSQL transactions at
# least), and takes then releases the conversation's lock (two Redis commands at least).
TRACKER_OPERATIONS_PER_MESSAGE = 2
LOCK_OPERATIONS_PER_MESSAGE = 2
# Servers are planned to run at this share of what their CPU allows: owners' messages arrive at
# random, not one after the other's reply as in the benchmark's closed loop.
UTILISATION = 0.7


# --- the machine, as /proc shows it ------------------------------------------------------------


def machine() -> dict:
    cpuinfo = Path("/proc/cpuinfo").read_text(errors="replace")
    models = [line.split(":", 1)[1].strip() for line in cpuinfo.splitlines() if line.startswith("model name")]
    meminfo = Path("/proc/meminfo").read_text().split()
    memory_kb = int(meminfo[meminfo.index("MemTotal:") + 1])
    return {
        "cores": os.cpu_count(),
        "cpu_model": models[0] if models else platform.processor() or "unknown",
        "memory_gb": round(memory_kb / 1024 / 1024, 1),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "rasa": version("rasa"),
        "rasa_sdk": version("rasa_sdk"),
        "load_average": [round(value, 2) for value in os.getloadavg()],
    }


def _children() -> Dict[int, List[int]]:
    children: Dict[int, List[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(parent, []).append(int(entry.name))
    return children


def process_tree(pids: Sequence[int]) -> List[int]:
    children, found, todo = _children(), [], list(pids)
    while todo:
        pid = todo.pop()
        if pid not in found and Path(f"/proc/{pid}").exists():
            found.append(pid)
            todo.extend(children.get(pid, []))
    return found


def tree_memory_mb(pids: Sequence[int]) -> Dict[str, float]:
    """Resident memory of the processes and their descendants: now (VmRSS) and at its peak
    (VmHWM, each process's own peak: their sum bounds the tree's peak from above)."""
    totals = {"VmRSS": 0, "VmHWM": 0}
    for pid in process_tree(pids):
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        for line in status.splitlines():
            key = line.split(":", 1)[0]
            if key in totals:
                totals[key] += int(line.split()[1])
    return {"rss_mb": totals["VmRSS"] / 1024, "peak_mb": totals["VmHWM"] / 1024}


def tree_cpu_seconds(pids: Sequence[int]) -> float:
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in process_tree(pids):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


def running_trainings() -> List[str]:
    """Other `rasa train` processes on the machine: a benchmark next to one measures nothing."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            arguments = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        words = [Path(word.decode(errors="replace")).name for word in arguments if word]
        if "train" in words and any(word == "rasa" for word in words):
            found.append(f"{entry.name}: {' '.join(words)[:120]}")
    return found


# --- training --------------------------------------------------------------------------------


def training_environment(cache_dir: Path) -> Dict[str, str]:
    return dict(
        os.environ,
        PYTHONPATH=str(REPO),
        RASA_TELEMETRY_ENABLED="false",
        TF_CPP_MIN_LOG_LEVEL="3",
        # An empty training cache: nothing reused from an earlier training (`make train`'s
        # cache is .rasa/cache), so that both trainings start from scratch.
        RASA_CACHE_DIRECTORY=str(cache_dir),
    )


def train(config: Path, out: Path, name: str, log: Path) -> float:
    """`rasa train` as `make train` runs it; returns its wall time in seconds."""
    log.parent.mkdir(parents=True, exist_ok=True)
    out.mkdir(parents=True, exist_ok=True)
    command = [
        str(BIN / "rasa"),
        "train",
        "--config",
        str(config),
        "--domain",
        "domain.yml",
        "--data",
        "data",
        "--out",
        str(out),
        "--fixed-model-name",
        name,
    ]
    print(f"Training {name} ({config.relative_to(REPO) if config.is_relative_to(REPO) else config}); log: {log}")
    with tempfile.TemporaryDirectory(prefix="bench-cache-") as cache, open(log, "w") as handle:
        started = time.monotonic()
        process = subprocess.Popen(
            command,
            cwd=REPO,
            env=training_environment(Path(cache)),
            stdout=handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            code = process.wait()
        finally:
            stop(process)
        seconds = time.monotonic() - started
    if code != 0:
        raise SystemExit(f"Training {name} failed (exit code {code}); see {log}")
    print(f"  trained in {seconds:.0f} s")
    return seconds


def vanilla_config(epochs: Optional[int] = None) -> bytes:
    """bench/vanilla-config.yml; with `epochs`, Rasa's default configuration written out
    (rasa/engine/recipes/config_files/default_config.yml, in French) with every `epochs: 100`
    set to `epochs`: the same components and policies, hence the same work per message, for a
    machine where the defaults take hours to train (--vanilla-epochs)."""
    if epochs is None:
        return VANILLA_CONFIG.read_bytes()
    import rasa

    defaults = Path(rasa.__file__).parent / "engine" / "recipes" / "config_files" / "default_config.yml"
    config = yaml.safe_load(defaults.read_text(encoding="utf-8"))
    ours = yaml.safe_load(VANILLA_CONFIG.read_text(encoding="utf-8"))
    config.update(language=ours["language"], assistant_id=ours["assistant_id"])
    for item in config["pipeline"] + config["policies"]:
        if "epochs" in item:
            item["epochs"] = epochs
    header = f"# Rasa {version('rasa')}'s default configuration, epochs cut to {epochs} (scripts/benchmark.py).\n"
    return (header + yaml.safe_dump(config, sort_keys=False, allow_unicode=True)).encode()


def vanilla_key(epochs: Optional[int] = None) -> str:
    """What the vanilla model depends on: its configuration, our data and domain, Rasa's version."""
    digest = hashlib.sha256()
    inputs = [(VANILLA_CONFIG, vanilla_config(epochs))] + [
        (path, path.read_bytes())
        for path in [REPO / "domain.yml"]
        + sorted(path for path in (REPO / "data").rglob("*") if path.is_file() and path.suffix in (".yml", ".yaml"))
    ]
    for path, content in inputs:
        digest.update(str(path.relative_to(REPO)).encode() + b"\0" + content + b"\0")
    digest.update(version("rasa").encode())
    return digest.hexdigest()[:12]


def vanilla_model(retrain: bool, log_dir: Path, epochs: Optional[int] = None) -> Tuple[Path, dict]:
    """The cached vanilla model, trained first when missing (or with --retrain)."""
    key = vanilla_key(epochs)
    model, record = MODELS / f"vanilla-{key}.tar.gz", MODELS / f"vanilla-{key}.json"
    if model.exists() and record.exists() and not retrain:
        info = json.loads(record.read_text())
        print(f"Vanilla model: {model.relative_to(REPO)} (cached; trained in {info['training_seconds']:.0f} s)")
        return model, dict(info, cached=True)
    load_before = [round(value, 2) for value in os.getloadavg()]
    with tempfile.TemporaryDirectory(prefix="bench-vanilla-") as folder:
        # A copy: Rasa writes the default pipeline and policies back into the file it trained from.
        config = Path(folder) / "config.yml"
        config.write_bytes(vanilla_config(epochs))
        seconds = train(config, MODELS, model.name.removesuffix(".tar.gz"), log_dir / "train-vanilla.log")
    info = {
        "training_seconds": round(seconds, 1),
        "trained_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "rasa": version("rasa"),
        "config": str(VANILLA_CONFIG.relative_to(REPO)),
        "epochs": epochs,  # None: Rasa's defaults (100)
        "inputs_hash": key,
        "cores": os.cpu_count(),
        "load_average_before": load_before,
    }
    record.write_text(json.dumps(info, indent=2) + "\n")
    return model, dict(info, cached=False)


def ours_training(model: Path, retrain: bool, log_dir: Path) -> dict:
    """Our training time: re-measured with --retrain (into var/bench/retrain/, so that `make
    train`'s model stays as it is; --serve-retrained serves that one), else the one `make train`
    recorded for the model in use."""
    if retrain:
        seconds = train(REPO / "config.yml", RETRAINED_OURS.parent, "conseiller", log_dir / "train-ours.log")
        return {
            "training_seconds": round(seconds, 1),
            "source": f"--retrain (this run, empty training cache, into {RETRAINED_OURS.relative_to(REPO)})",
        }
    if model == OURS_MODEL and OURS_TRAIN_RECORD.exists():
        # `make train` writes the record just before it touches the model: a model much newer
        # than the record was trained some other way.
        if model.stat().st_mtime - OURS_TRAIN_RECORD.stat().st_mtime < 60:
            seconds = float(OURS_TRAIN_RECORD.read_text().split()[0])
            return {"training_seconds": seconds, "source": f"make train ({OURS_TRAIN_RECORD.relative_to(REPO)})"}
    return {
        "training_seconds": None,
        "source": f"not recorded ({OURS_TRAIN_RECORD.relative_to(REPO)} missing or older than the model: "
        "`make train` after a data change records it, or use --retrain)",
    }


# --- the servers ---------------------------------------------------------------------------------


@dataclass
class Services:
    """The PostgreSQL database and Redis the servers use (the topology): what they did per message
    is read from their own counters (transactions, commands) and their processes' CPU time."""

    postgres_url: str
    redis_url: str
    _redis: object = None  # one connection for every reading: connecting sends commands too

    def redis_commands(self) -> int:
        """Commands Redis processed so far, this reading excluded (the next one counts it)."""
        import redis

        if self._redis is None:
            self._redis = redis.Redis.from_url(self.redis_url)
        return int(self._redis.info("stats")["total_commands_processed"])


@dataclass
class Started:
    base_url: str
    rasa_pids: List[int]  # the Rasa servers: memory is their process trees'
    helper_pids: List[int] = field(default_factory=list)  # action server(s), nginx
    startup_seconds: float = 0.0
    ready_path: str = "/"
    description: str = ""
    services: Optional[Services] = None


# PostgreSQL's and Redis's processes, by the name the kernel shows (/proc/<pid>/comm).
SERVICE_PROCESSES = {"postgres": "postgres", "redis": "redis-server"}


def processes_named(name: str, argument: Optional[str] = None) -> List[int]:
    """The processes called `name`; with `argument`, only those whose command line has that word
    (PostgreSQL's backends show their database there: "postgres: 15/main: user database …")."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() != name:
                    continue
                words = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").split()
            except OSError:
                continue
            if argument is None or argument in words:
                found.append(int(entry.name))
    return found


def cpu_by_process(pids: Sequence[int]) -> Dict[int, float]:
    ticks = os.sysconf("SC_CLK_TCK")
    seconds = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        seconds[pid] = (int(fields[11]) + int(fields[12])) / ticks
    return seconds


def postgres_transactions(url: str) -> int:
    """Transactions committed and rolled back in the database of `url` (pg_stat_database), read
    through the `postgres` database so that reading them adds none."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    database = make_url(url).database
    engine = create_engine(make_url(url).set(database="postgres", query={}), future=True)
    try:
        with engine.connect() as connection:
            return int(
                connection.execute(
                    text("SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = :name"),
                    {"name": database},
                ).scalar_one()
            )
    finally:
        engine.dispose()


def services_snapshot(services: Services) -> Dict[str, float]:
    """PostgreSQL's and Redis's counters and CPU time. PostgreSQL publishes a backend's counts
    when it goes idle, at most once a second: the counters are read until they stop moving (the
    servers are idle between phases)."""
    from sqlalchemy.engine import make_url

    counters = {"postgres_transactions": postgres_transactions(services.postgres_url)}
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        time.sleep(1.2)
        again = postgres_transactions(services.postgres_url)
        if again == counters["postgres_transactions"]:
            break
        counters["postgres_transactions"] = again
    counters["redis_commands"] = services.redis_commands()
    database = make_url(services.postgres_url).database
    for key, name in SERVICE_PROCESSES.items():
        # PostgreSQL: the backends serving the benchmark's database (not its shared background
        # writers, nor other people's connections); Redis: its one process.
        for pid, seconds in cpu_by_process(processes_named(name, database if key == "postgres" else None)).items():
            counters[f"{key}_cpu:{pid}"] = seconds
    return counters


def services_per_message(before: Dict[str, float], after: Dict[str, float], answered: int) -> Dict[str, float]:
    """Per message answered: PostgreSQL transactions, Redis commands, and their CPU time in ms
    (a process that started meanwhile counts from zero, one that ended is left out)."""
    per_message = {
        "postgres_transactions_per_message": (after["postgres_transactions"] - before["postgres_transactions"])
        / answered,
        # Less the INFO that read `before`.
        "redis_commands_per_message": (after["redis_commands"] - before["redis_commands"] - 1) / answered,
    }
    for key in SERVICE_PROCESSES:
        spent = sum(
            seconds - before.get(name, 0.0) for name, seconds in after.items() if name.startswith(f"{key}_cpu:")
        )
        per_message[f"{key}_cpu_ms_per_message"] = spent * 1000 / answered
    return per_message


def wait_for_ready_endpoint(
    base_url: str, timeout: float = 180, while_not_ready: Callable[[], None] = lambda: None
) -> str:
    """Once GET / answers: /ready if the server has it (polled until 200), else /.
    `while_not_ready` runs after each "not ready yet" answer: it raises to give up early."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{base_url}/ready", timeout=5) as response:
                if response.status == 200:
                    return "/ready"
        except urllib.error.HTTPError as error:
            if error.code in (404, 405):
                return "/"
            while_not_ready()
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    raise TimeoutError(f"{base_url}/ready not 200 after {timeout:.0f} s")


def require_model_loaded(base_url: str, token: str, log: Path) -> None:
    """Rasa answers GET / even when its model failed to load (it logs the error and runs on
    without an agent, ignoring every message): its /status says whether a model is loaded."""
    try:
        with urllib.request.urlopen(f"{base_url}/status?token={token}", timeout=30) as response:
            status = json.loads(response.read())
    except urllib.error.HTTPError as error:
        status = {"error": error.code}
    if not status.get("model_id"):
        tail = "\n".join(log.read_text(errors="replace").splitlines()[-15:]) if log.exists() else ""
        raise RuntimeError(f"The Rasa server runs without a model ({status}); see {log}:\n{tail}")


@contextmanager
def single_servers(model: Path, log_dir: Path, extra_env: Dict[str, str]) -> Iterator[Started]:
    """One action server, then one Rasa server (timed from its process start to ready), as
    `make run` starts them (ops.servers), on free ports."""
    rasa_port, action_port = free_port(), free_port()
    base_url = f"http://127.0.0.1:{rasa_port}"
    env = server_environment(action_port, {**extra_env, "CONSOLE_PUBLIC_URL": base_url})
    actions = start_action_server(env, action_port, log_dir)
    try:
        started = time.monotonic()
        token = secrets.token_urlsafe(24)
        rasa = start_rasa_server(env, model, rasa_port, token, log_dir)
        try:
            # Rasa loads its model before it answers at all: a 503 from /ready with no model
            # loaded means the model failed to load, for good.
            ready_path = wait_for_ready_endpoint(
                base_url, while_not_ready=lambda: require_model_loaded(base_url, token, log_dir / "rasa.log")
            )
            startup = time.monotonic() - started
            require_model_loaded(base_url, token, log_dir / "rasa.log")
            yield Started(
                base_url,
                [rasa.pid],
                [actions.pid],
                startup,
                ready_path,
                "one Rasa server + one action server, SQLite",
            )
        finally:
            stop(rasa)
    finally:
        stop(actions)


def topology_missing() -> Optional[str]:
    """Why `--ours topology` cannot run here (nginx, PostgreSQL or Redis missing), or None."""
    import redis

    from ops.topology import ConfigurationError, nginx_binary
    from tests.postgres import postgres_url

    try:
        nginx_binary()
        redis.Redis.from_url(BENCH_REDIS_URL, socket_connect_timeout=3).ping()
        postgres_url()
    except (ConfigurationError, redis.RedisError, RuntimeError) as error:
        return f"{type(error).__name__}: {str(error).splitlines()[0]}"
    return None


def start_ours(kind: str, model: Path, log_dir: Path, extra_env: Dict[str, str], options: argparse.Namespace):
    """The hook that starts ours: a context manager yielding a `Started` (base URL, pids of the
    Rasa servers, start-up time); everything it started is stopped on exit.

    - single: ops.servers' one Rasa server and one action server (the `make run` profile);
    - topology: several Rasa servers behind nginx, with PostgreSQL and Redis, from
      ops/topology.py (`--rasa-servers`, `--action-servers`)."""
    if kind == "single":
        return single_servers(model, log_dir, extra_env)
    if kind == "topology":
        return _topology(model, log_dir, extra_env, options)
    raise ValueError(kind)


BENCH_REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/9")


@contextmanager
def postgres_database() -> Iterator[str]:
    """A throwaway database of PostgreSQL (BENCH_POSTGRES_URL, else the tests' server: the
    machine's, or a throwaway one from Debian's package; tests/postgres.py), dropped on exit. A
    database of its own, not a schema: its transactions and its server processes are the
    benchmark's alone, whoever else uses that PostgreSQL meanwhile."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from tests.postgres import postgres_url

    base = make_url(os.environ.get("BENCH_POSTGRES_URL") or postgres_url())
    name = f"bench_{secrets.token_hex(5)}"
    admin = create_engine(base, future=True, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield str(base.set(database=name))
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def _topology(model: Path, log_dir: Path, extra_env: Dict[str, str], options: argparse.Namespace) -> Iterator[Started]:
    """ops/topology.py's `topology(...)`: action servers, nginx and several Rasa servers, on a
    fresh PostgreSQL schema (tracker store and our database) and Redis (BENCH_REDIS_URL, the
    lock store, under a key prefix of the run's, its keys deleted on exit). Start-up time:
    from entering `topology(...)` to every Rasa server ready (their /ready), the action servers
    and nginx included; PostgreSQL and Redis are already running."""
    import redis

    from ops.topology import topology

    try:
        redis.Redis.from_url(BENCH_REDIS_URL, socket_connect_timeout=3).ping()
    except redis.RedisError:
        raise SystemExit(f"--ours topology needs Redis at BENCH_REDIS_URL ({BENCH_REDIS_URL})") from None
    prefix = f"bench{secrets.token_hex(5)}"
    with postgres_database() as database:
        environment = {
            **extra_env,
            "TRACKER_DB_URL": database,
            "CONSEILLER_DATABASE_URL": database,
            "REDIS_URL": BENCH_REDIS_URL,
            "REDIS_KEY_PREFIX": prefix,
            "WIDGET_SESSION_SECRET": secrets.token_hex(16),
        }
        try:
            started = time.monotonic()
            with topology(
                model,
                rasa_servers=options.rasa_servers,
                action_servers=options.action_servers,
                auth_token=secrets.token_urlsafe(24),
                log_dir=log_dir,
                extra_env=environment,
            ) as running:
                startup = time.monotonic() - started
                ready_path = wait_for_ready_endpoint(running.url)
                yield Started(
                    running.url,
                    [server.process.pid for server in running.rasa],
                    [server.process.pid for server in running.actions] + ([running.nginx.pid] if running.nginx else []),
                    startup,
                    ready_path,
                    f"{len(running.rasa)} Rasa servers and {len(running.actions)} action servers behind nginx, "
                    "PostgreSQL (tracker store and our database), Redis lock store (ops/topology.py, "
                    "endpoints.prod.yml)",
                    Services(database, BENCH_REDIS_URL),
                )
        finally:
            leftover = redis.Redis.from_url(BENCH_REDIS_URL)
            for key in leftover.scan_iter(f"{prefix}:*"):
                leftover.delete(key)


def start_assistant(name: str, options: argparse.Namespace, model: Path, log_dir: Path, extra_env: Dict[str, str]):
    if name == "ours":
        return start_ours(options.ours, model, log_dir, extra_env, options)
    return single_servers(model, log_dir, extra_env)


def bench_settings(folder: Path) -> Path:
    """Our settings with the owners' rate limits out of the way: all simulated owners come from
    127.0.0.1 and type faster than people."""
    settings = yaml.safe_load((REPO / "bot" / "data" / "settings.yml").read_text(encoding="utf-8"))
    settings["limits"] = dict(
        settings.get("limits") or {},
        messages_per_minute_per_conversation=1_000_000,
        messages_per_minute_per_address=1_000_000,
    )
    path = folder / "settings.yml"
    path.write_text(yaml.safe_dump(settings, allow_unicode=True), encoding="utf-8")
    return path


# --- one run of one assistant -------------------------------------------------------------------


def measure_once(name: str, run: int, options: argparse.Namespace, model: Path, folder: Path, settings: Path) -> dict:
    log_dir = folder / f"run{run}-{name}"
    log_dir.mkdir(parents=True, exist_ok=True)
    extra_env = {
        "TRACKER_DB_URL": f"sqlite:///{log_dir / 'tracker.db'}",
        "CONSEILLER_DATABASE_URL": f"sqlite:///{log_dir / 'conseiller.db'}",
        "CONSEILLER_SETTINGS_FILE": str(settings),
        # Our patches of two hot spots of Rasa (rasa_addons/speedups.py, installed by the Rasa
        # server launcher) are ours: vanilla runs Rasa's own code.
        "CONSEILLER_RASA_SPEEDUPS": "1" if name == "ours" else "0",
    }
    print(f"\n[run {run}/{options.runs}] {name}: starting…", flush=True)
    outcome: dict = {"run": run, "assistant": name, "logs": str(log_dir.relative_to(REPO))}
    with start_assistant(name, options, model, log_dir, extra_env) as started:
        outcome.update(
            startup_seconds=round(started.startup_seconds, 2),
            ready_path=started.ready_path,
            rasa_servers=len(started.rasa_pids),
            setup=started.description,
            memory_at_ready=tree_memory_mb(started.rasa_pids),
        )
        print(f"  ready in {started.startup_seconds:.1f} s ({started.ready_path})", flush=True)
        outcome["phases"] = asyncio.run(_phases(name, run, options, started))
        outcome["memory_after_load"] = tree_memory_mb(started.rasa_pids)
        outcome["helper_memory_after_load"] = tree_memory_mb(started.helper_pids)
    print(
        f"  memory after load: {outcome['memory_after_load']['rss_mb']:.0f} MB "
        f"(peak {outcome['memory_after_load']['peak_mb']:.0f} MB)",
        flush=True,
    )
    return outcome


def phase_plan(options: argparse.Namespace) -> List[Tuple[str, int, int]]:
    """(label, concurrency, sequential diagnostics) of each measured phase."""
    plan = [("warmup", 1, 1)]
    if "alone" not in options.skip and options.alone > 0:
        plan.append(("alone", 1, options.alone))
    plan += [(f"c{level}", level, 0) for level in options.conversations if str(level) not in options.skip]
    return plan


async def _phases(name: str, run: int, options: argparse.Namespace, started: Started) -> Dict[str, dict]:
    results = {}
    services = started.services
    counters = services_snapshot(services) if services else None
    for label, concurrency, sequential in phase_plan(options):
        cpu: Dict[str, float] = {}

        def mark(cpu: Dict[str, float] = cpu) -> None:
            cpu.update(rasa=tree_cpu_seconds(started.rasa_pids), helpers=tree_cpu_seconds(started.helper_pids))

        stats: PhaseStats = await run_phase(
            started.base_url,
            label,
            concurrency,
            f"bench-{name}-r{run}",
            options.timeout,
            sequential=sequential,
            on_start=mark,
        )
        summary = stats.summary()
        answered = max(summary["answered"], 1)
        summary["rasa_cpu_ms_per_message"] = (tree_cpu_seconds(started.rasa_pids) - cpu["rasa"]) * 1000 / answered
        summary["action_cpu_ms_per_message"] = (
            (tree_cpu_seconds(started.helper_pids) - cpu["helpers"]) * 1000 / answered
        )
        summary["load_generator_cpu_ms_per_message"] = stats.client_cpu_seconds * 1000 / answered
        if services and counters:
            after = services_snapshot(services)
            summary.update(services_per_message(counters, after, answered))
            counters = after
        results[label] = summary
        print(
            f"  {label:>6}: {summary['answered']}/{summary['sent']} answered, "
            f"p50 {_fmt(summary['p50_ms'], 0)} ms, p95 {_fmt(summary['p95_ms'], 0)} ms, "
            f"{_fmt(summary['messages_per_second'], 1)} msg/s, errors {summary['errors']}, "
            f"completed {summary['completed']}/{summary['conversations']} in {summary['wall_seconds']:.0f} s; "
            f"CPU per message: Rasa {summary['rasa_cpu_ms_per_message']:.1f} ms, "
            f"actions {summary['action_cpu_ms_per_message']:.1f} ms"
            + (
                f", PostgreSQL {summary['postgres_cpu_ms_per_message']:.1f} ms "
                f"({summary['postgres_transactions_per_message']:.1f} transactions), "
                f"Redis {summary['redis_cpu_ms_per_message']:.1f} ms ({summary['redis_commands_per_message']:.1f} commands)"
                if "redis_commands_per_message" in summary
                else ""
            ),
            flush=True,
        )
    return results


# --- summary, capacity, report ------------------------------------------------------------------

# Measured with the topology only (PostgreSQL and Redis): per message answered.
SERVICE_FIGURES = (
    "postgres_transactions_per_message",
    "redis_commands_per_message",
    "postgres_cpu_ms_per_message",
    "redis_cpu_ms_per_message",
)


def _median(values: Sequence[Optional[float]]) -> Optional[float]:
    present = [value for value in values if value is not None]
    return statistics.median(present) if present else None


def summarise(runs: List[dict]) -> dict:
    """The median over runs of each figure (errors and conversations: summed)."""
    if not runs:
        return {}
    summary: dict = {
        "runs": len(runs),
        "startup_seconds": _median([run["startup_seconds"] for run in runs]),
        "rss_at_ready_mb": _median([run["memory_at_ready"]["rss_mb"] for run in runs]),
        "rss_after_load_mb": _median([run["memory_after_load"]["rss_mb"] for run in runs]),
        "peak_rss_mb": _median([run["memory_after_load"]["peak_mb"] for run in runs]),
        "action_server_rss_mb": _median([run["helper_memory_after_load"]["rss_mb"] for run in runs]),
        "first_reply_ms": _median([run["phases"]["warmup"]["first_reply_ms"] for run in runs]),
        "rasa_servers": runs[0]["rasa_servers"],
        "setup": runs[0]["setup"],
        "ready_path": runs[0]["ready_path"],
        "phases": {},
    }
    for label in runs[0]["phases"]:
        if label == "warmup":
            continue
        phases = [run["phases"][label] for run in runs]
        error_kinds: Dict[str, int] = {}
        for phase in phases:
            for kind, count in phase["error_kinds"].items():
                error_kinds[kind] = error_kinds.get(kind, 0) + count
        summary["phases"][label] = {
            "concurrency": phases[0]["concurrency"],
            **{
                key: _median([phase.get(key) for phase in phases])
                for key in (
                    "p50_ms",
                    "p95_ms",
                    "messages_per_second",
                    "messages_per_diagnostic",
                    "rasa_cpu_ms_per_message",
                    "action_cpu_ms_per_message",
                    "load_generator_cpu_ms_per_message",
                    "wall_seconds",
                    *SERVICE_FIGURES,
                )
            },
            "errors": sum(phase["errors"] for phase in phases),
            "error_kinds": error_kinds,
            "sent": sum(phase["sent"] for phase in phases),
            "conversations": sum(phase["conversations"] for phase in phases),
            "completed": sum(phase["completed"] for phase in phases),
            "recoveries": sum(phase["recoveries"] for phase in phases),
        }
    return summary


def capacity_estimate(
    phases: Dict[str, dict],
    rasa_servers: int = 1,
    rss_mb: Optional[float] = None,  # of all the Rasa servers measured
    owners: int = CAPACITY_OWNERS,
    seconds_between_messages: Sequence[float] = SECONDS_BETWEEN_MESSAGES,
    utilisation: float = UTILISATION,
) -> dict:
    """How many Rasa servers `owners` chatting at once need, from the CPU time per message.

    Messages per second needed = owners / seconds between two messages of one owner. A Rasa
    server is one Python process: it answers at most 1000 / (its CPU ms per message) messages a
    second, with its one core busy; it is planned at `utilisation` of that, since owners' messages
    arrive at random (the benchmark's closed loops keep the servers at 100 %, where any queue
    grows: their p95 is not the p95 at 70 %). The CPU per message is the one measured in the
    load with the most owners at once (the servers saturated). Rasa servers needed = messages
    per second needed / (that × `utilisation`), rounded up; cores for the action servers,
    PostgreSQL and Redis likewise from their CPU per message; PostgreSQL transactions and Redis
    commands per second from those measured per message (the topology), else the assumed
    TRACKER_OPERATIONS_PER_MESSAGE and LOCK_OPERATIONS_PER_MESSAGE."""
    measured = [(phase.get("concurrency") or 0, label) for label, phase in phases.items()]
    measured = [item for item in measured if phases[item[1]].get("rasa_cpu_ms_per_message")]
    estimate: dict = {"owners": owners, "utilisation": utilisation, "basis": None, "scenarios": []}
    if not measured:
        estimate["note"] = "no load measured"
        return estimate
    label = max(measured)[1]
    phase = phases[label]
    rasa_cpu_ms = phase["rasa_cpu_ms_per_message"]
    with_services = phase.get("postgres_transactions_per_message") is not None
    per_message = {
        "postgres": phase["postgres_transactions_per_message"] if with_services else TRACKER_OPERATIONS_PER_MESSAGE,
        "redis": phase["redis_commands_per_message"] if with_services else LOCK_OPERATIONS_PER_MESSAGE,
    }
    cpu_ms = {
        "actions": phase.get("action_cpu_ms_per_message"),
        "postgres": phase.get("postgres_cpu_ms_per_message"),
        "redis": phase.get("redis_cpu_ms_per_message"),
    }
    per_server = 1000 / rasa_cpu_ms
    estimate.update(
        basis=label,
        rasa_cpu_ms_per_message=round(rasa_cpu_ms, 1),
        cpu_ms_per_message={key: round(value, 1) for key, value in cpu_ms.items() if value is not None},
        per_server_messages_per_second=round(per_server, 1),
        planned_messages_per_second=round(per_server * utilisation, 1),
        # For comparison: what each Rasa server answered in that load, on the benchmark's cores
        # (shared with the action servers, the databases and the load generator).
        measured_messages_per_second_per_server=round(phase["messages_per_second"] / max(rasa_servers, 1), 1)
        if phase.get("messages_per_second")
        else None,
        operations_per_message={key: round(value, 1) for key, value in per_message.items()},
        operations_source="measured in that load" if with_services else "assumed (not measured without the topology)",
    )
    for seconds in seconds_between_messages:
        needed = owners / seconds
        servers = math.ceil(needed / (per_server * utilisation))

        def cores(key: str, needed: float = needed) -> Optional[float]:
            value = cpu_ms[key]
            return round(needed * value / 1000 / utilisation, 1) if value is not None else None

        estimate["scenarios"].append(
            {
                "seconds_between_messages": seconds,
                "messages_per_owner_per_minute": round(60 / seconds, 2),
                "messages_per_second": round(needed, 1),
                "rasa_servers": servers,
                "rasa_memory_gb": round(servers * rss_mb / max(rasa_servers, 1) / 1024, 1) if rss_mb else None,
                "action_server_cores": cores("actions"),
                "postgres_transactions_per_second": round(needed * per_message["postgres"]),
                "redis_commands_per_second": round(needed * per_message["redis"]),
                "postgres_cores": cores("postgres"),
                "redis_cores": cores("redis"),
            }
        )
    return estimate


def _fmt(value: Optional[float], digits: int = 0, unit: str = "") -> str:
    if value is None:
        return "–"
    return f"{value:,.{digits}f}{unit}".replace(",", " ")


def _ratio(ours: Optional[float], vanilla: Optional[float]) -> str:
    if ours is None or vanilla in (None, 0):
        return "–"
    return f"{ours / vanilla:.2f}"


def figure_rows(summaries: Dict[str, dict], training: Dict[str, dict], sizes: Dict[str, Optional[int]]) -> List[list]:
    """[label, ours, vanilla, ratio] rows of the comparison table."""
    ours, vanilla = summaries.get("ours", {}), summaries.get("vanilla", {})

    def row(label: str, get: Callable[[dict], Optional[float]], digits: int = 0, unit: str = "") -> list:
        values = [get(summary) if summary else None for summary in (ours, vanilla)]
        return [label, _fmt(values[0], digits, unit), _fmt(values[1], digits, unit), _ratio(*values)]

    def mb(size: Optional[int]) -> Optional[float]:
        return size / 1024 / 1024 if size is not None else None

    def per_server(key: str) -> Callable[[dict], Optional[float]]:
        return lambda s: s[key] / s["rasa_servers"] if s.get(key) is not None else None

    rows = [
        [
            "Training time",
            _fmt(training["ours"]["training_seconds"], 0, " s"),
            _fmt(training["vanilla"]["training_seconds"], 0, " s")
            + (f" ({training['vanilla']['epochs']} epochs, not 100)" if training["vanilla"].get("epochs") else "")
            if "vanilla" in training
            else "–",
            _ratio(training["ours"]["training_seconds"], training.get("vanilla", {}).get("training_seconds"))
            if not training.get("vanilla", {}).get("epochs")
            else "–",
        ],
        [
            "Model file size",
            _fmt(mb(sizes["ours"]), 1, " MB"),
            _fmt(mb(sizes.get("vanilla")), 1, " MB"),
            _ratio(sizes["ours"], sizes.get("vanilla")),
        ],
        row("Start-up (process start → ready)", lambda s: s.get("startup_seconds"), 1, " s"),
        row("First reply after start-up", lambda s: s.get("first_reply_ms"), 0, " ms"),
        [
            "Rasa servers",
            *(str(summary.get("rasa_servers", "–")) if summary else "–" for summary in (ours, vanilla)),
            "",
        ],
        row("Memory per Rasa server at ready (RSS)", per_server("rss_at_ready_mb"), 0, " MB"),
        row("Memory per Rasa server after the load (RSS)", per_server("rss_after_load_mb"), 0, " MB"),
        row("Peak memory per Rasa server (VmHWM)", per_server("peak_rss_mb"), 0, " MB"),
        row("Action server(s) (and nginx) memory after the load", lambda s: s.get("action_server_rss_mb"), 0, " MB"),
    ]
    labels = list((ours or vanilla).get("phases", {}))
    for label in labels:
        title = "alone" if label == "alone" else f"{label[1:]} at once"

        def phase(key: str, label: str = label) -> Callable[[dict], Optional[float]]:
            return lambda s: s.get("phases", {}).get(label, {}).get(key)

        rows += [
            row(f"{title}: p50 per message", phase("p50_ms"), 0, " ms"),
            row(f"{title}: p95 per message", phase("p95_ms"), 0, " ms"),
            row(f"{title}: messages per second", phase("messages_per_second"), 1),
        ]
        cells = [f"{title}: errors / diagnostics completed"]
        for summary in (ours, vanilla):
            found = summary.get("phases", {}).get(label) if summary else None
            cells.append(
                f"{found['errors']} / {found['completed']} of {found['conversations']}"
                + (
                    f" ({', '.join(f'{k} {v}' for k, v in sorted(found['error_kinds'].items()))})"
                    if found["errors"]
                    else ""
                )
                if found
                else "–"
            )
        cells.append("")
        rows.append(cells)
        rows += [
            row(f"{title}: messages per diagnostic", phase("messages_per_diagnostic"), 1),
            row(f"{title}: Rasa server CPU per message", phase("rasa_cpu_ms_per_message"), 1, " ms"),
            row(f"{title}: action server (and nginx) CPU per message", phase("action_cpu_ms_per_message"), 1, " ms"),
            row(f"{title}: load generator CPU per message", phase("load_generator_cpu_ms_per_message"), 1, " ms"),
        ]
        if any(
            summary.get("phases", {}).get(label, {}).get(SERVICE_FIGURES[0]) is not None for summary in (ours, vanilla)
        ):
            rows += [
                row(f"{title}: PostgreSQL transactions per message", phase("postgres_transactions_per_message"), 1),
                row(f"{title}: PostgreSQL CPU per message", phase("postgres_cpu_ms_per_message"), 1, " ms"),
                row(f"{title}: Redis commands per message", phase("redis_commands_per_message"), 1),
                row(f"{title}: Redis CPU per message", phase("redis_cpu_ms_per_message"), 1, " ms"),
            ]
    return rows


def target_rows(summaries: Dict[str, dict], training: Dict[str, dict]) -> List[list]:
    """[target, ours, met?] rows: issue 14's targets for ours, against this run's figures."""
    ours, vanilla = summaries.get("ours") or {}, summaries.get("vanilla") or {}

    def phase(summary: dict, label: str, key: str) -> Optional[float]:
        return summary.get("phases", {}).get(label, {}).get(key)

    def verdict(value: Optional[float], limit: float, at_least: bool = False) -> str:
        if value is None:
            return "not measured"
        return "yes" if (value >= limit if at_least else value <= limit) else "**no**"

    alone_p95 = phase(ours, "alone", "p95_ms")
    c20_p95 = phase(ours, "c20", "p95_ms")
    ours_rate, vanilla_rate = phase(ours, "c20", "messages_per_second"), phase(vanilla, "c20", "messages_per_second")
    speedup = ours_rate / vanilla_rate if ours_rate and vanilla_rate else None
    peak = ours["peak_rss_mb"] / ours["rasa_servers"] if ours.get("peak_rss_mb") is not None else None
    seconds = (training.get("ours") or {}).get("training_seconds")
    return [
        ["One owner: p95 ≤ 100 ms", _fmt(alone_p95, 0, " ms"), verdict(alone_p95, 100)],
        [
            "20 owners: ≥ 2 × vanilla's messages/s (same run)",
            f"{_fmt(ours_rate, 1)} vs {_fmt(vanilla_rate, 1)} msg/s: × {_fmt(speedup, 2)}",
            verdict(speedup, 2, at_least=True),
        ],
        ["20 owners: p95 ≤ 1 s", _fmt(c20_p95, 0, " ms"), verdict(c20_p95, 1000)],
        ["Start-up ≤ 15 s", _fmt(ours.get("startup_seconds"), 1, " s"), verdict(ours.get("startup_seconds"), 15)],
        ["Memory ≤ 1.2 GB per Rasa server (peak)", _fmt(peak, 0, " MB"), verdict(peak, 1.2 * 1024)],
        ["Training ≤ 3 min", _fmt(seconds, 0, " s"), verdict(seconds, 180)],
    ]


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def text_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    widths = [max(len(str(row[index])) for row in [header, *rows]) for index in range(len(header))]
    lines = ["  ".join(str(cell).ljust(width) for cell, width in zip(header, widths, strict=True))]
    lines.append("  ".join("-" * width for width in widths))
    lines += ["  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)) for row in rows]
    return "\n".join(lines)


def capacity_markdown(name: str, estimate: dict) -> str:
    if not estimate.get("scenarios"):
        return f"- {name}: {estimate.get('note', 'not measured')}."
    operations = estimate["operations_per_message"]
    lines = [
        f"- {name}: {estimate['rasa_cpu_ms_per_message']} ms of CPU per message in a Rasa server (the "
        f"`{estimate['basis']}` load), so at most {estimate['per_server_messages_per_second']} messages/s per Rasa "
        f"server on its one core, planned at {estimate['utilisation']:.0%}: "
        f"{estimate['planned_messages_per_second']} messages/s (each of its Rasa servers answered "
        f"{_fmt(estimate['measured_messages_per_second_per_server'], 1)} messages/s in that load, on the "
        f"benchmark's shared cores); {operations['postgres']} PostgreSQL transactions and {operations['redis']} "
        f"Redis commands per message ({estimate['operations_source']})."
    ]
    rows = [
        [
            f"every {scenario['seconds_between_messages']} s ({scenario['messages_per_owner_per_minute']}/min)",
            _fmt(scenario["messages_per_second"], 0),
            str(scenario["rasa_servers"]),
            _fmt(scenario["rasa_memory_gb"], 1, " GB"),
            _fmt(scenario["action_server_cores"], 1),
            _fmt(scenario["postgres_transactions_per_second"], 0),
            _fmt(scenario["postgres_cores"], 1),
            _fmt(scenario["redis_commands_per_second"], 0),
            _fmt(scenario["redis_cores"], 1),
        ]
        for scenario in estimate["scenarios"]
    ]
    header = [
        "An owner writes",
        "Messages/s needed",
        "Rasa servers (1 core each)",
        "Their memory",
        "Action server cores",
        "PostgreSQL transactions/s",
        "PostgreSQL cores",
        "Redis commands/s",
        "Redis cores",
    ]
    return "\n".join(lines) + "\n\n" + markdown_table(header, rows)


def generated_section(report: dict, rows: List[list], section: str = DOC_SECTION) -> str:
    meta, machine_info = report["meta"], report["meta"]["machine"]
    start_marker, end_marker = markers(section)
    per_run_rows = []
    for name in ASSISTANTS:
        for run in report["runs"].get(name, []):
            phases = run["phases"]
            per_run_rows.append(
                [
                    f"{run['run']}",
                    name,
                    _fmt(run["startup_seconds"], 1, " s"),
                    _fmt(run["memory_after_load"]["rss_mb"], 0, " MB"),
                    *(
                        f"{_fmt(phases[label]['p95_ms'], 0)} ms · {_fmt(phases[label]['messages_per_second'], 1)}/s · "
                        f"{phases[label]['errors']} err"
                        for label in report["phase_labels"]
                    ),
                ]
            )
    ours_setup = report["summary"].get("ours", {}).get("setup", "not measured in this run")
    ready_paths = sorted({summary["ready_path"] for summary in report["summary"].values()})
    topology = meta["ours"] == "topology"
    vanilla_epochs = report["training"].get("vanilla", {}).get("epochs")
    lines = [
        start_marker,
        "<!-- Generated by scripts/benchmark.py (`make bench`): edits between these markers are overwritten. -->",
        "",
        f"**Run of {meta['date']}**: `{meta['command']}`",
        "",
        f"- Machine: {machine_info['cores']} cores ({machine_info['cpu_model']}), {machine_info['memory_gb']} GB; "
        f"Python {machine_info['python']}, Rasa {machine_info['rasa']}, rasa_sdk {machine_info['rasa_sdk']}; "
        f"load average at start {', '.join(str(value) for value in machine_info['load_average'])}, at the end "
        f"{', '.join(str(value) for value in machine_info.get('load_average_at_end', []))}.",
        f"- Ours (`--ours {meta['ours']}`): {ours_setup}; model `{meta['models']['ours']}` "
        f"(training time: {report['training']['ours']['source']}).",
        (
            "- Vanilla: Rasa's default pipeline and policies, `language: fr` (`bench/vanilla-config.yml`), "
            if not vanilla_epochs
            else f"- Vanilla: **Rasa's default components and policies with their epochs cut from 100 to "
            f"{vanilla_epochs}** (`--vanilla-epochs {vanilla_epochs}`; `language: fr`): the same work per message, "
            "but neither the default training time nor quite the default model, "
        )
        + "trained on "
        f"our `data/` and `domain.yml` once and cached (trained "
        f"{report['training'].get('vanilla', {}).get('trained_at', '–')}): "
        f"`{meta['models'].get('vanilla', '–')}`; one Rasa server and one action server, as `make run` starts them "
        "(`endpoints.yml`: tracker store `PrivacyAwareSQLTrackerStore` on a fresh SQLite file per run, in-memory "
        "lock store).",
        "- Both: our action server code, our `credentials.yml` (REST channel with its production token), owners' "
        "rate limits raised for the run; vanilla without our patches of Rasa (`CONSEILLER_RASA_SPEEDUPS=0`: "
        "rasa_addons/speedups.py is ours). Load generator (asyncio + aiohttp) in the benchmark's process, on the "
        "same cores as the servers (its CPU per message is in the table).",
        "- Start-up: "
        + (
            "ours: from starting the topology (nginx, then the action and Rasa servers at once) to every Rasa "
            "server ready; vanilla: "
            if topology
            else ""
        )
        + f"from the Rasa server's process start to `GET {' or '.join(ready_paths)}` answering 200 (the model "
        "loaded). Memory: VmRSS of each Rasa server's process tree, read after the last load, divided by the "
        "number of Rasa servers; peak: the processes' VmHWM. CPU per message: the CPU time (user + system, /proc) "
        "the processes spent during the load, divided by the messages answered"
        + (
            "; PostgreSQL's: its backends serving the benchmark's own database, and that database's "
            "transactions (pg_stat_database); Redis's: its process and its `total_commands_processed` (the "
            "whole server's: whoever else uses that Redis counts too)."
            if topology
            else "."
        ),
        f"- {meta['runs']} run(s) alternating ours and vanilla; each figure is the median of the runs (errors and "
        f"diagnostics: summed). A diagnostic: greeting, request in words, profile in words, 15 questions (12 by "
        f"button payloads, 3 typed), results asked for, goodbye; `alone` = {meta['alone']} diagnostics one after "
        f"another; `N at once` = N owners each doing one in a closed loop.",
        "",
        *([f"**Incomplete run: {meta['interrupted']}.**", ""] if meta.get("interrupted") else []),
        markdown_table(["Figure", "Ours", "Vanilla", "Ours / vanilla"], rows),
        "",
        "Issue 14's targets for ours, in this run:",
        "",
        markdown_table(["Target", "This run", "Met"], target_rows(report["summary"], report["training"])),
        "",
        "Per run (p95 · messages per second · errors, by load):",
        "",
        markdown_table(
            ["Run", "Assistant", "Start-up", "RSS after load (all Rasa servers)", *report["phase_labels"]],
            per_run_rows,
        ),
        "",
        f"**Capacity estimate from this run** ({CAPACITY_OWNERS:,} owners chatting at once; method below):".replace(
            ",", " "
        ),
        "",
        capacity_markdown("Ours", report["capacity"].get("ours", {})),
        "",
        capacity_markdown("Vanilla", report["capacity"].get("vanilla", {})),
        "",
        end_marker,
    ]
    return "\n".join(lines)


# A new document (--doc to a file that does not exist yet): the generated part only; what the
# figures mean and the capacity method are written by hand in docs/performance.md.
DOC_SKELETON = """# Performance

Written by scripts/benchmark.py (`make bench`); see docs/performance.md for what each figure means.

{generated}
"""


def write_doc(path: Path, generated: str, section: str = DOC_SECTION) -> None:
    start_marker, end_marker = markers(section)
    if path.exists():
        text = path.read_text(encoding="utf-8")
        if start_marker in text and end_marker in text:
            before, rest = text.split(start_marker, 1)
            after = rest.split(end_marker, 1)[1]
            text = before + generated + after
        else:
            text = text.rstrip("\n") + "\n\n" + generated + "\n"
    else:
        text = DOC_SKELETON.replace("{generated}", generated)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


# --- main ------------------------------------------------------------------------------------------


def parse_arguments(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="runs of each assistant, alternating (default 3)")
    parser.add_argument(
        "--ours",
        choices=["auto", "single", "topology"],
        default="auto",
        help="how ours is started; auto (default): the production topology where nginx, PostgreSQL and Redis "
        "are there, else single",
    )
    parser.add_argument("--rasa-servers", type=int, default=2, help="with --ours topology (default 2)")
    parser.add_argument("--action-servers", type=int, default=2, help="with --ours topology (default 2)")
    parser.add_argument(
        "--conversations",
        default="20,100",
        type=lambda text: [int(level) for level in text.split(",") if level.strip()],
        help="levels of owners chatting at once, comma-separated (default 20,100)",
    )
    parser.add_argument("--alone", type=int, default=2, help="diagnostics one after another for the latency alone")
    parser.add_argument(
        "--skip",
        default="",
        type=lambda text: {part.strip() for part in text.split(",") if part.strip()},
        help="what to leave out, comma-separated: alone, a level (100), vanilla, ours",
    )
    parser.add_argument("--timeout", type=float, default=60, help="seconds before a message counts as timed out")
    parser.add_argument(
        "--retrain",
        nargs="?",
        const="both",
        choices=["ours", "vanilla", "both"],
        help="re-measure both trainings, or only ours or vanilla's (vanilla's cache refreshed)",
    )
    parser.add_argument(
        "--vanilla-epochs",
        type=int,
        help="vanilla with Rasa's default components and policies but this many epochs instead of 100 "
        "(same work per message, shorter training; the report says so)",
    )
    parser.add_argument("--model", type=Path, default=OURS_MODEL, help="our model (default models/conseiller.tar.gz)")
    parser.add_argument(
        "--serve-retrained",
        action="store_true",
        help=f"with --retrain: serve ours from the model just trained ({RETRAINED_OURS.relative_to(REPO)})",
    )
    parser.add_argument("--json", type=Path, default=DEFAULT_JSON, help="raw results (default results/benchmark.json)")
    parser.add_argument("--doc", type=Path, default=DEFAULT_DOC, help="the document to update")
    parser.add_argument("--no-doc", action="store_true", help="leave docs/performance.md as it is")
    parser.add_argument(
        "--render",
        type=Path,
        metavar="JSON",
        help="measure nothing: write the report of an earlier run (its results JSON) again, with this version's "
        "tables and capacity estimate",
    )
    parser.add_argument(
        "--doc-section",
        default=DOC_SECTION,
        help="write between <!-- NAME:start --> and <!-- NAME:end --> (default bench)",
    )
    options = parser.parse_args(argv)
    if options.runs < 1:
        parser.error("--runs must be at least 1")
    if options.serve_retrained and options.retrain not in ("ours", "both"):
        parser.error("--serve-retrained goes with --retrain")
    return options


def report_tables(report: dict) -> List[list]:
    """The comparison rows, the targets and the capacity estimate of a report, printed; its
    capacity estimate (re)computed from its summaries. Returns the comparison rows."""
    summaries, training = report["summary"], report["training"]
    report["capacity"] = {
        name: capacity_estimate(summary["phases"], summary["rasa_servers"], summary["rss_after_load_mb"])
        for name, summary in summaries.items()
    }
    rows = figure_rows(summaries, training, report["model_bytes"])
    print("\n" + text_table(["Figure", "Ours", "Vanilla", "Ours / vanilla"], rows))
    print("\n" + text_table(["Target (ours)", "This run", "Met"], target_rows(summaries, training)))
    for name, estimate in report["capacity"].items():
        print("\n" + capacity_markdown(f"Capacity ({name})", estimate))
    return rows


def main(argv: Optional[Sequence[str]] = None) -> None:
    options = parse_arguments(argv)
    if options.render:
        report = json.loads(options.render.read_text(encoding="utf-8"))
        rows = report_tables(report)
        if not options.no_doc:
            write_doc(options.doc, generated_section(report, rows, options.doc_section), options.doc_section)
            print(f"Updated: {options.doc}")
        return
    # A service manager or `timeout` stops us with SIGTERM: leave through the same path as
    # Ctrl-C, so that every server started is stopped.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    # The REST channel as in production, with its token (bot/adapters/channels/rest.py): the
    # servers inherit it from this environment, the load generator sends it.
    os.environ.setdefault("REST_CHANNEL_TOKEN", secrets.token_urlsafe(24))
    model = RETRAINED_OURS if options.serve_retrained else options.model.resolve()
    if not model.exists() and not options.serve_retrained:
        sys.exit(f"No model at {model}: run `make train` first.")
    busy = running_trainings()
    if busy:
        sys.exit(
            "A `rasa train` is running: its load would distort every figure. Wait for it to end:\n  "
            + "\n  ".join(busy)
        )
    assistants = [name for name in ASSISTANTS if name not in options.skip]
    if not assistants:
        sys.exit("Nothing to measure: --skip leaves out both assistants.")
    if options.ours == "auto":
        missing = topology_missing() if "ours" in assistants else "ours skipped"
        options.ours = "single" if missing else "topology"
        print(f"Ours: --ours {options.ours}" + (f" (the topology cannot run here: {missing})" if missing else ""))
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    folder = BENCH_DIR / stamp
    folder.mkdir(parents=True, exist_ok=True)
    meta = {
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "command": "python scripts/benchmark.py " + " ".join(shlex.quote(arg) for arg in (argv or sys.argv[1:])),
        "machine": machine(),
        "runs": options.runs,
        "ours": options.ours,
        "alone": options.alone,
        "conversations": options.conversations,
        "skip": sorted(options.skip),
        "timeout_seconds": options.timeout,
        "logs": str(folder.relative_to(REPO)),
        "models": {"ours": str(model.relative_to(REPO)) if model.is_relative_to(REPO) else str(model)},
    }
    print(f"Logs: {folder}")
    models = {"ours": model}
    try:
        training = {
            "ours": ours_training(model, options.retrain in ("ours", "both"), folder)
            if "ours" in assistants
            else {"training_seconds": None, "source": "not measured (--skip ours)"}
        }
        if options.serve_retrained:
            print(f"Ours is served from the model just trained: {model.relative_to(REPO)}")
        if "vanilla" in assistants:
            models["vanilla"], training["vanilla"] = vanilla_model(
                options.retrain in ("vanilla", "both"), folder, options.vanilla_epochs
            )
            meta["models"]["vanilla"] = str(models["vanilla"].relative_to(REPO))
    except KeyboardInterrupt:
        sys.exit("\nInterrupted during a training: stopped, nothing cached.")
    sizes: Dict[str, Optional[int]] = {name: path.stat().st_size for name, path in models.items()}
    settings = bench_settings(folder)
    runs: Dict[str, List[dict]] = {name: [] for name in assistants}
    interrupted = None
    try:
        for run in range(1, options.runs + 1):
            for name in assistants:
                runs[name].append(measure_once(name, run, options, models[name], folder, settings))
    except KeyboardInterrupt:
        interrupted = "interrupted (Ctrl-C)"
        print("\nInterrupted: every server is stopped; the runs completed so far are reported.")
    except Exception as error:  # noqa: BLE001 (a server that failed: report what was measured)
        interrupted = f"stopped by a failure: {type(error).__name__}: {error}"
        print(f"\n{interrupted}\nEvery server is stopped; the runs completed so far are reported.")
    if not any(runs.values()):
        sys.exit(f"Nothing measured ({interrupted}).")
    meta["machine"]["load_average_at_end"] = [round(value, 2) for value in os.getloadavg()]
    if interrupted:
        meta["interrupted"] = interrupted
    report = {
        "meta": meta,
        "training": training,
        "model_bytes": sizes,
        "phase_labels": [label for label, _, _ in phase_plan(options) if label != "warmup"],
        "summary": {name: summarise(done) for name, done in runs.items() if done},
        "capacity": {},
        "runs": runs,
    }
    rows = report_tables(report)
    options.json.parent.mkdir(parents=True, exist_ok=True)
    options.json.write_text(json.dumps(report, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"\nRaw figures: {options.json}")
    if not options.no_doc:
        write_doc(options.doc, generated_section(report, rows, options.doc_section), options.doc_section)
        print(f"Updated: {options.doc}")
    if interrupted:
        sys.exit(130)


if __name__ == "__main__":
    main()
