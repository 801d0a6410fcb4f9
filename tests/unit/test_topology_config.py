"""The production profile's pieces that need no Rasa server: the sessions every server may
address, the environment ops/topology.py requires and gives endpoints.prod.yml, the nginx
configuration it renders, and how socket.io's messages cross Redis."""

import asyncio
import json
import os
import pickle
import shutil
import subprocess
import uuid
from datetime import timedelta

import pytest
import redis

from bot.adapters import advisors, storage
from bot.adapters.channels.webchat import JsonRedisManager, socket_manager
from ops.servers import REPO_ROOT, server_environment
from ops.topology import (
    ConfigurationError,
    check_environment,
    nginx_main_config,
    production_environment,
    redis_environment,
    render_nginx_config,
)

POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/9")


def test_the_valid_session_keys_are_those_of_unexpired_sessions_of_active_accounts(database_url):
    accounts = advisors.advisor_repository(database_url)
    accounts.create_account("conseil@exemple.fr", "Équipe numérique", "un mot de passe long")
    accounts.create_account("autre@exemple.fr", "Permanence", "un mot de passe long")
    first = accounts.log_in("conseil@exemple.fr", "un mot de passe long", 8)
    second = accounts.log_in("conseil@exemple.fr", "un mot de passe long", 8)
    other = accounts.log_in("autre@exemple.fr", "un mot de passe long", 8)
    key = advisors.session_key
    assert accounts.valid_session_keys() == {key(first), key(second), key(other)}
    assert first not in accounts.valid_session_keys()  # digests, never the tokens
    accounts.log_out(first)
    assert accounts.valid_session_keys() == {key(second), key(other)}
    assert accounts.valid_session_keys(now=storage.utcnow() + timedelta(hours=8, seconds=1)) == set()
    accounts.deactivate_account("autre@exemple.fr")
    assert accounts.valid_session_keys() == {key(second)}


@pytest.mark.parametrize(
    "missing, expected",
    [
        ({"REDIS_URL": ""}, "REDIS_URL"),
        ({"TRACKER_DB_URL": "sqlite:///var/rasa-tracker.db"}, "TRACKER_DB_URL doit être une adresse postgresql"),
        ({"CONSEILLER_DATABASE_URL": None}, "CONSEILLER_DATABASE_URL"),
        ({"REDIS_URL": "localhost:6379"}, "REDIS_URL doit être une adresse redis://"),
    ],
)
def test_the_production_profile_requires_postgresql_and_redis(missing, expected):
    env = {"TRACKER_DB_URL": POSTGRES, "CONSEILLER_DATABASE_URL": POSTGRES, "REDIS_URL": "redis://127.0.0.1:6379/2"}
    check_environment(env)
    env.update(missing)
    with pytest.raises(ConfigurationError, match=expected):
        check_environment({name: value for name, value in env.items() if value is not None})


def test_the_lock_store_settings_come_from_redis_url():
    assert redis_environment("redis://:s%40cret@redis.interne:6380/3") == {
        "REDIS_HOST": "redis.interne",
        "REDIS_PORT": "6380",
        "REDIS_DB": "3",
        "REDIS_PASSWORD": "s@cret",
    }
    assert redis_environment("redis://127.0.0.1") == {
        "REDIS_HOST": "127.0.0.1",
        "REDIS_PORT": "6379",
        "REDIS_DB": "0",
        "REDIS_PASSWORD": "",
    }


def test_the_nginx_configuration_names_every_server_and_nginx_accepts_it(tmp_path):
    site = render_nginx_config(
        ["10.0.0.11:5005", "10.0.0.12:5005"],
        ["10.0.0.11:5055"],
        listen="8080",
        action_listen="127.0.0.1:5055",
        access_log=str(tmp_path / "access.log"),
    )
    assert "{{" not in "\n".join(line for line in site.splitlines() if not line.lstrip().startswith("#"))
    assert site.count("server 10.0.0.11:5005 max_fails=1 fail_timeout=10s;") == 2  # round-robin and socket.io
    assert "server 10.0.0.11:5055 max_fails=1 fail_timeout=10s;" in site
    directives = [line.strip() for line in site.splitlines() if line.strip() and not line.strip().startswith("#")]
    assert not any("non_idempotent" in line for line in directives)  # a POST already sent is never sent twice
    nginx = shutil.which("nginx") or shutil.which("/usr/sbin/nginx")
    if nginx is None:
        pytest.skip("nginx is not installed (make nginx)")
    (tmp_path / "site.conf").write_text(site, encoding="utf-8")
    main = tmp_path / "nginx.conf"
    main.write_text(nginx_main_config(tmp_path, tmp_path / "site.conf", tmp_path / "error.log"), encoding="utf-8")
    checked = subprocess.run(
        [nginx, "-t", "-p", str(tmp_path), "-c", str(main), "-e", str(tmp_path / "error.log")],
        capture_output=True,
        text=True,
    )
    assert checked.returncode == 0, checked.stderr


def test_endpoints_prod_yml_is_complete_with_the_environment_the_topology_gives_every_server(monkeypatch):
    from rasa.utils.endpoints import read_endpoint_config

    deployer = {
        "TRACKER_DB_URL": POSTGRES,
        "CONSEILLER_DATABASE_URL": POSTGRES,
        "REDIS_URL": "redis://:s%40cret@redis.interne:6380/3",
        "WIDGET_SESSION_SECRET": "une clé partagée par tous les serveurs",
    }
    for name in ("REDIS_HOST", "REDIS_PORT", "REDIS_DB", "REDIS_PASSWORD", "REDIS_KEY_PREFIX", "TRUSTED_PROXY"):
        monkeypatch.delenv(name, raising=False)
    environment = server_environment(5055, production_environment(deployer, "http://localhost:8080"))
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    assert environment["TRUSTED_PROXY"] == environment["SANIC_PROXIES_COUNT"] == "1"
    assert environment["CONSOLE_PUBLIC_URL"] == "http://localhost:8080"

    path = str(REPO_ROOT / "endpoints.prod.yml")
    action = read_endpoint_config(path, "action_endpoint")
    assert action.url == "http://127.0.0.1:5055/webhook"
    assert action.headers == {"Authorization": f"Bearer {environment['ACTION_SERVER_TOKEN']}"}
    tracker_store = read_endpoint_config(path, "tracker_store")
    assert (tracker_store.type, tracker_store.url) == (
        "rasa_addons.tracker_store.PrivacyAwareSQLTrackerStore",
        POSTGRES,
    )
    lock_store = read_endpoint_config(path, "lock_store")
    assert (lock_store.type, lock_store.url) == ("redis", "redis.interne")
    assert lock_store.kwargs == {"port": "6380", "db": "3", "password": "s@cret", "key_prefix": "conseiller"}


def test_one_server_keeps_socket_io_in_process_several_share_it_through_redis(monkeypatch):
    monkeypatch.delenv("SOCKETIO_REDIS_URL", raising=False)
    monkeypatch.delenv("REDIS_URL", raising=False)
    assert socket_manager() is None  # make run
    monkeypatch.setenv("REDIS_URL", REDIS_URL)
    monkeypatch.setenv("REDIS_KEY_PREFIX", "essai")
    manager = socket_manager()
    assert isinstance(manager, JsonRedisManager) and manager.channel == "essai:socketio"


UNPICKLED = []


def unpickled() -> None:
    UNPICKLED.append(True)


class Trap:
    """What python-socketio 5.8's own manager would run on loading it (CVE-2025-61765)."""

    def __reduce__(self):
        return (unpickled, ())


def test_socket_io_messages_cross_redis_as_json_and_nothing_arriving_there_is_unpickled():
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError:
        pytest.skip(f"no Redis at {REDIS_URL} (TEST_REDIS_URL)")
    channel = f"test{uuid.uuid4().hex[:10]}:socketio"
    message = {
        "method": "emit",
        "event": "bot_uttered",
        "data": {"text": "Bonjour, je suis là.", "metadata": {"advisor": {"name": "Permanence"}}},
        "namespace": "/",
        "room": ["web-1", "web-2"],
        "skip_sid": None,
        "callback": None,
        "host_id": "serveur-1",
    }

    async def exchange():
        manager = JsonRedisManager(REDIS_URL, channel=channel)
        manager._redis_connect()
        await manager.pubsub.subscribe(channel)  # before anything is published (`_listen` does it again)
        watcher = manager.redis.pubsub(ignore_subscribe_messages=True)
        await watcher.subscribe(channel)
        try:
            await manager.redis.publish(channel, pickle.dumps(Trap()))  # someone else on the channel
            await manager.redis.publish(channel, b"\x80 pas du JSON")
            await manager.redis.publish(channel, json.dumps(["pas", "un", "message"]))
            await manager._publish(message)
            received = await asyncio.wait_for(manager._listen().__anext__(), 10)
            raw = []
            while len(raw) < 4:
                heard = await watcher.get_message(timeout=10)
                if heard is not None:
                    raw.append(heard["data"])
            return received, raw[-1]
        finally:
            await watcher.close()
            await manager.pubsub.close()
            await manager.redis.close()

    received, sent = asyncio.run(exchange())
    assert json.loads(sent) == message  # what crossed Redis: JSON
    assert received == message  # what the other servers handle: the JSON message, and only it
    assert UNPICKLED == []
