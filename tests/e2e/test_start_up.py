"""What the servers do at start, before the first message."""

import asyncio
import gc
import sqlite3
from types import SimpleNamespace

from ops.servers import free_port, server_environment, start_action_server, stop
from rasa_addons import speedups


def test_once_the_model_is_loaded_a_full_collection_leaves_the_start_up_objects_alone(trained_model):
    """What loading Rasa and the model built is frozen: a full pass of the collector (200 to
    350 ms with the event loop stopped, before) walks only what was made since."""
    app = SimpleNamespace(ctx=SimpleNamespace())
    try:
        asyncio.run(speedups.load_agent_then_freeze(str(trained_model), None, None, app, None))
        assert app.ctx.agent.is_ready()
        assert gc.get_freeze_count() > 200_000
        assert len(gc.get_objects()) < gc.get_freeze_count() / 20
    finally:
        gc.unfreeze()


def test_the_action_server_loads_its_data_and_database_before_the_first_call(tmp_path):
    """A data file a deployer broke is reported at start (the server still starts: the action
    that needs it answers in French); the database is at its newest migration before the first
    owner writes."""
    broken = tmp_path / "settings.yml"
    broken.write_text("handoff: [unclosed\n", encoding="utf-8")
    database = tmp_path / "conseiller.db"
    port = free_port()
    env = server_environment(
        port, {"CONSEILLER_SETTINGS_FILE": str(broken), "CONSEILLER_DATABASE_URL": f"sqlite:///{database}"}
    )
    process = start_action_server(env, port, tmp_path)
    try:
        log = (tmp_path / "actions.log").read_text(encoding="utf-8")
        assert "Could not load at start (load_settings)" in log and str(broken) in log
        with sqlite3.connect(database) as connection:
            tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert {"alembic_version", "diagnostic_runs"} <= tables
    finally:
        stop(process)
