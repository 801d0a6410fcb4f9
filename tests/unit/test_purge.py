"""`python -m ops.purge` (`make purge`, the daily timer) erases what is older than the retention
period of the settings, in real databases, without anyone chatting."""

import asyncio
import os
import subprocess
import sys
import time
from datetime import timedelta

import pytest
import yaml
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.adapters import storage
from bot.adapters.storage import REPO_ROOT
from bot.datafile import DATA_DIR

RETENTION_DAYS = 30


@pytest.fixture
def settings_file(tmp_path):
    """The deployer's settings with a retention period of their own."""
    content = yaml.safe_load((DATA_DIR / "settings.yml").read_text(encoding="utf-8"))
    content["privacy"]["retention_days"] = RETENTION_DAYS
    path = tmp_path / "settings.yml"
    path.write_text(yaml.safe_dump(content, allow_unicode=True), encoding="utf-8")
    return path


def write_conversation(tracker_url: str, sender_id: str, days_ago: float) -> None:
    """A conversation as Rasa stores it, its last message `days_ago` days ago."""
    when = time.time() - days_ago * 86400
    tracker = DialogueStateTracker.from_events(
        sender_id,
        [
            ActionExecuted("action_listen", timestamp=when - 60),
            UserUttered("je voudrais parler à un conseiller, joignable au 06 39 98 12 34", timestamp=when),
        ],
    )
    store = SQLTrackerStore(host=tracker_url)
    asyncio.run(store.save(tracker))
    store.engine.dispose()


def conversations(tracker_url: str) -> list:
    store = SQLTrackerStore(host=tracker_url)
    try:
        return sorted(asyncio.run(store.keys()))
    finally:
        store.engine.dispose()


def run_purge(environment: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "ops.purge"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=180,
        env={**os.environ, **environment},
    )


def test_old_conversations_and_tickets_are_erased_and_recent_ones_kept(tmp_path, database_url, settings_file):
    tracker_url = f"sqlite:///{tmp_path / 'rasa-tracker.db'}"
    write_conversation(tracker_url, "owner-old", days_ago=RETENTION_DAYS + 15)
    write_conversation(tracker_url, "owner-recent", days_ago=2)
    old_day = storage.utcnow() - timedelta(days=RETENTION_DAYS + 15)
    tickets = storage.ticket_repository(database_url)
    old_ticket = tickets.create(
        {
            "sender_id": "owner-old",
            "reason": "requested",
            "phone": "0639981234",
            "created_at": old_day,
            "updated_at": old_day,
        },
    )
    recent_ticket = tickets.create(
        {"sender_id": "owner-recent", "reason": "requested", "email": "marie.durand@boulangerie-exemple.fr"}
    )

    result = run_purge(
        {
            "TRACKER_DB_URL": tracker_url,
            "CONSEILLER_DATABASE_URL": database_url,
            "CONSEILLER_SETTINGS_FILE": str(settings_file),
        }
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        f"Durée de conservation : {RETENTION_DAYS} jours. Effacé : 1 conversation, 1 demande transmise aux conseillers."
    )
    assert conversations(tracker_url) == ["owner-recent"]
    assert tickets.get(old_ticket) is None
    kept = tickets.get_with_events(recent_ticket)
    assert kept.email == "marie.durand@boulangerie-exemple.fr" and [e.kind for e in kept.events] == ["created"]

    again = run_purge(
        {
            "TRACKER_DB_URL": tracker_url,
            "CONSEILLER_DATABASE_URL": database_url,
            "CONSEILLER_SETTINGS_FILE": str(settings_file),
        }
    )
    assert again.stdout.strip() == (
        f"Durée de conservation : {RETENTION_DAYS} jours. Effacé : 0 conversation, 0 demande transmise aux conseillers."
    )


def test_without_any_conversation_yet_nothing_is_created(tmp_path, settings_file):
    tracker_file = tmp_path / "rasa-tracker.db"
    result = run_purge(
        {
            "TRACKER_DB_URL": f"sqlite:///{tracker_file}",
            "CONSEILLER_DATABASE_URL": f"sqlite:///{tmp_path / 'conseiller.db'}",
            "CONSEILLER_SETTINGS_FILE": str(settings_file),
        }
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        f"Durée de conservation : {RETENTION_DAYS} jours. Effacé : 0 conversation, 0 demande transmise aux conseillers."
    )
    assert not tracker_file.exists()
