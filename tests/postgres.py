"""The PostgreSQL the tests use: the machine's (TEST_POSTGRES_URL, default the local server
with trust auth), else a throwaway server started here from Debian's `postgresql` package
(initdb in a temporary folder, stopped and removed when the tests end). `make test` installs
the package where neither is present."""

import atexit
import glob
import os
import shutil
import socket
import subprocess
import tempfile
from functools import lru_cache

from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/test"


def reachable(url: str) -> bool:
    engine = create_engine(url, future=True, connect_args={"connect_timeout": 3})
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return True
    except OperationalError:
        return False
    finally:
        engine.dispose()


@lru_cache(maxsize=1)
def postgres_url() -> str:
    url = os.environ.get("TEST_POSTGRES_URL", DEFAULT_URL)
    return url if reachable(url) else throwaway_server()


def throwaway_server() -> str:
    binaries = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not binaries:
        raise RuntimeError(
            "No PostgreSQL is running and Debian's postgresql package is not installed: "
            "`make test` installs it, or set TEST_POSTGRES_URL."
        )
    bin_dir = os.path.dirname(binaries[-1])
    folder = tempfile.mkdtemp(prefix="conseiller-postgres-")
    # PostgreSQL refuses to run as root: as root, it runs as the package's own user.
    as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    if as_user:
        shutil.chown(folder, "postgres")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    data = os.path.join(folder, "data")
    subprocess.run(
        [*as_user, f"{bin_dir}/initdb", "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8"],
        check=True,
        capture_output=True,
    )
    subprocess.run(
        [
            *as_user,
            f"{bin_dir}/pg_ctl",
            "-D",
            data,
            "-w",
            "-l",
            os.path.join(folder, "log"),
            "-o",
            f"-p {port} -k {folder} -c listen_addresses=127.0.0.1",
            "start",
        ],
        check=True,
        capture_output=True,
    )

    def stop() -> None:
        subprocess.run([*as_user, f"{bin_dir}/pg_ctl", "-D", data, "-m", "fast", "stop"], capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)

    atexit.register(stop)
    return f"postgresql://postgres@127.0.0.1:{port}/postgres"
