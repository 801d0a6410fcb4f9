"""Log lines never show an owner's e-mail address or phone number, in either server."""

import io
import logging
import subprocess
import sys

import pytest

from bot.adapters.log_privacy import ContactMaskingFilter
from bot.adapters.storage import REPO_ROOT

CONTACTS = ("marie.durand@boulangerie-exemple.fr", "06 39 98 12 34", "0639981234", "+33 6 39 98 12 34", "+33639981234")


def written_by(logger_name: str, *log_call_args, **log_call_kwargs) -> str:
    """What a handler with the filter writes for one logger.warning(...) call."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(ContactMaskingFilter())
    logger = logging.getLogger(logger_name)
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.warning(*log_call_args, **log_call_kwargs)
    finally:
        logger.removeHandler(handler)
    return stream.getvalue()


def test_contacts_in_the_arguments_of_a_record_are_masked():
    line = written_by(
        "test.privacy.args",
        "Message from %s: %r (%d messages, score %.1f)",
        "owner-42",
        "je suis joignable au 06 39 98 12 34, ou +33639981234, ou marie.durand@boulangerie-exemple.fr",
        3,
        18.44,
    )
    assert [contact for contact in CONTACTS if contact in line] == []
    assert "[e-mail masqué]" in line and line.count("[téléphone masqué]") == 2
    assert "Message from owner-42:" in line and "(3 messages, score 18.4)" in line  # the rest is intact


def test_contacts_in_the_message_a_mapping_or_an_object_or_a_traceback_are_masked():
    assert "0639981234" not in written_by("test.privacy.message", "Slots: phone=0639981234")
    assert "marie.durand" not in written_by(
        "test.privacy.mapping",
        "%(slot)s = %(value)s",
        {"slot": "email", "value": "marie.durand@boulangerie-exemple.fr"},
    )
    assert "+33 6 39 98 12 34" not in written_by("test.privacy.object", "Slots: %s", {"phone": "+33 6 39 98 12 34"})
    try:
        raise ValueError("cannot reach marie.durand@boulangerie-exemple.fr")
    except ValueError:
        line = written_by("test.privacy.exception", "Action failed", exc_info=True)
    assert "ValueError: cannot reach [e-mail masqué]" in line and "marie.durand" not in line


def test_numbers_that_are_not_phone_numbers_are_left_alone():
    line = written_by(
        "test.privacy.numbers", "Ticket %s at 2024-06-12 10:00:00, port %s, id %s", 1234567890, 5005, "a0639981234b"
    )
    assert line.strip() == "Ticket 1234567890 at 2024-06-12 10:00:00, port 5005, id a0639981234b"


@pytest.mark.parametrize("server_module", ["actions", "rasa_addons.tracker_store"])
def test_each_server_masks_contacts_in_its_logs(server_module):
    """Rasa logs an owner's message at DEBUG; whatever the server sets up after importing our
    code (here the root handler of basicConfig), the line it writes has no contact in it."""
    script = (
        f"import logging, sys\nimport {server_module}\n"
        "logging.basicConfig(stream=sys.stdout, level=logging.DEBUG, format='%(name)s %(message)s')\n"
        "logging.getLogger('rasa.core.processor').debug(\"Received user message '%s'\", "
        "'rappelez-moi au 06 39 98 12 34 ou marie.durand@boulangerie-exemple.fr')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={
            "PYTHONPATH": str(REPO_ROOT),
            "TF_CPP_MIN_LOG_LEVEL": "3",
            "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
            "PATH": "/usr/bin:/bin",
        },
    )
    assert result.returncode == 0, result.stderr
    assert (
        "rasa.core.processor Received user message 'rappelez-moi au [téléphone masqué] ou [e-mail masqué]'"
        in result.stdout
    )
    assert "06 39 98 12 34" not in result.stdout + result.stderr and "marie.durand" not in result.stdout + result.stderr
