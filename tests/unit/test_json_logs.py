"""LOG_FORMAT=json: each server writes one JSON object per line (bot.adapters.json_logs), contacts
masked, whatever Rasa and Sanic set up themselves."""

import io
import json
import logging
import secrets
import subprocess
import sys
import textwrap
import urllib.error
import urllib.request
from datetime import datetime, timedelta

from bot.adapters.json_logs import JsonFormatter
from bot.adapters.storage import REPO_ROOT
from ops.servers import free_port

TOKEN = secrets.token_hex(16)  # made for the run: the action server needs 16 characters or more
ENVIRONMENT = {
    "PYTHONPATH": str(REPO_ROOT),
    "TF_CPP_MIN_LOG_LEVEL": "3",
    "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
    "PATH": "/usr/bin:/bin",
    "LOG_FORMAT": "json",
}


def entries(output: str):
    """Every line of the output, parsed: a line that is not a JSON object fails here."""
    parsed = []
    for line in output.splitlines():
        entry = json.loads(line)
        assert isinstance(entry, dict) and {"time", "level", "logger", "message"} <= set(entry), line
        assert datetime.fromisoformat(entry["time"].replace("Z", "+00:00")).utcoffset() == timedelta(0)
        parsed.append(entry)
    return parsed


def test_a_record_is_one_line_of_json_with_its_contacts_masked():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())  # no privacy filter on this handler: the formatter masks
    logger = logging.getLogger("test.json_logs")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.warning("Ticket %d: rappeler le %s\nou écrire", 12, "06 39 98 12 34")
        try:
            raise ValueError("cannot reach marie.durand@boulangerie-exemple.fr")
        except ValueError:
            logger.exception("Notification failed")
    finally:
        logger.removeHandler(handler)
    first, second = entries(stream.getvalue())
    assert first["level"] == "WARNING" and first["logger"] == "test.json_logs"
    assert first["message"] == "Ticket 12: rappeler le [téléphone masqué]\nou écrire" and "exception" not in first
    assert second["message"] == "Notification failed" and second["level"] == "ERROR"
    assert second["exception"].startswith("Traceback (most recent call last)")
    assert "ValueError: cannot reach [e-mail masqué]" in second["exception"]
    assert "06 39" not in stream.getvalue() and "marie.durand" not in stream.getvalue()


def test_the_rasa_server_s_lines_stay_json_once_rasa_has_set_up_its_logging(tmp_path):
    """What `rasa run` does to logging before it serves (coloured logs on the root logger,
    structlog, Sanic's own loggers), in order, then records of each kind."""
    credentials = tmp_path / "credentials.yml"
    credentials.write_text("bot.adapters.channels.health.HealthInput:\n")
    script = textwrap.dedent(
        f"""
        import logging, sys, warnings
        from bot.adapters import json_logs
        json_logs.install_if_enabled()  # as ops/rasa_server.py does first
        import rasa.core.run, rasa.utils.common, rasa.utils.io, structlog
        from rasa.utils.log_utils import configure_structlog
        # rasa.__main__.main, then rasa.core.run.serve_application, up to app.run:
        rasa.utils.common.configure_logging_and_warnings(None, None, warn_only_once=True, filter_repeated_logs=True)
        rasa.utils.io.configure_colored_logging(None)
        configure_structlog(None)
        logging.getLogger("rasa.cli.run").info("Between Rasa's set-up and its channels")
        channels = rasa.core.run.create_http_input_channels(None, {str(credentials)!r})
        app = rasa.core.run.configure_app(channels, enable_api=True, auth_token="x" * 20)
        rasa.utils.common.update_sanic_log_level()
        logging.getLogger("rasa.core.processor").info("Received user message '%s'", "écrivez à marie.durand@boulangerie-exemple.fr")
        logging.getLogger("sanic.error").error("Sanic's own handler")
        structlog.get_logger().info("rasa.structlog.event", text="06 39 98 12 34")
        warnings.warn("a warning, as Rasa raises them")
        try:
            raise ValueError("cannot reach 06 39 98 12 34")
        except ValueError:
            logging.getLogger("bot.test").exception("Action failed")
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=REPO_ROOT, capture_output=True, text=True, timeout=120, env=ENVIRONMENT
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    written = entries(result.stderr)
    by_logger = {entry["logger"]: entry for entry in written}
    assert by_logger["rasa.cli.run"]["message"] == "Between Rasa's set-up and its channels"  # coloured logs replaced
    assert by_logger["rasa.core.processor"]["message"] == "Received user message 'écrivez à [e-mail masqué]'"
    assert by_logger["sanic.error"]["level"] == "ERROR"
    assert "[téléphone masqué]" in by_logger["__main__"]["message"]  # structlog's event, as its message
    assert "a warning, as Rasa raises them" in by_logger["py.warnings"]["message"]
    assert "ValueError: cannot reach [téléphone masqué]" in by_logger["bot.test"]["exception"]
    assert "06 39" not in result.stderr and "marie.durand" not in result.stderr


def test_the_action_server_writes_json_lines():
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "ops.action_server", "--port", str(port)],
        cwd=REPO_ROOT,
        env={**ENVIRONMENT, "ACTION_SERVER_TOKEN": TOKEN},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines = []

    def read_until(fragment):
        for line in server.stdout:
            lines.append(line)
            if fragment in line:
                return
        raise AssertionError(f"the action server stopped before writing {fragment!r}:\n{''.join(lines)}")

    try:
        read_until("Starting worker")
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/webhook",
            data=b"pas du JSON",
            headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"},
        )
        try:
            urllib.request.urlopen(request, timeout=30)
        except urllib.error.HTTPError as refused:
            assert refused.code == 500
        read_until("Action call failed")
    finally:
        server.terminate()
        rest, _ = server.communicate(timeout=60)
    written = entries("".join(lines) + rest)
    assert any(entry["logger"] == "rasa_sdk.executor" for entry in written)  # the actions, registered
    [failure] = [entry for entry in written if entry["message"].startswith("Action call failed")]
    assert failure["level"] == "ERROR" and failure["exception"].startswith("Traceback")
