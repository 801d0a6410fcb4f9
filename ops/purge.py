"""Erases the conversations and tickets older than the retention period (SPEC 9), whether or not
anyone chats: `make purge`, or `python -m ops.purge`, daily from a systemd timer
(docs/deploy/conseiller-purge.timer).

The databases are TRACKER_DB_URL (conversations) and CONSEILLER_DATABASE_URL (tickets), the
period is `privacy.retention_days` of the settings (bot/data/settings.yml or
CONSEILLER_SETTINGS_FILE). The erasing itself is the servers' own code: the tracker store's
`purge_expired` and the ticket repository's `purge_older_than`.
"""

import argparse
import os
import sys
from pathlib import Path
from typing import Optional, Tuple

from bot.adapters import storage
from bot.adapters.deliveries import DELIVERY_MEMORY, purge_deliveries_before
from bot.adapters.retention import purge_records_older_than
from bot.settings import load_settings

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_TRACKER_DB_URL = f"sqlite:///{REPO_ROOT / 'var' / 'rasa-tracker.db'}"


def tracker_db_url() -> str:
    return os.environ.get("TRACKER_DB_URL") or DEFAULT_TRACKER_DB_URL


def purge(retention_days: int, tracker_url: Optional[str] = None) -> Tuple[int, int]:
    """Erases what is older than `retention_days`; returns (conversations, tickets) erased.
    The tickets are those of CONSEILLER_DATABASE_URL, as for the servers."""
    tickets = purge_records_older_than(retention_days)
    # The platforms' message ids (no personal data) are kept only as long as a retry may come.
    purge_deliveries_before(storage.utcnow() - DELIVERY_MEMORY)
    conversations = 0
    tracker_url = tracker_url or tracker_db_url()
    if not _missing_sqlite_file(tracker_url):  # no conversation yet: nothing to create or erase
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")  # Rasa imports TensorFlow: no start-up chatter
        os.environ.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")
        from rasa_addons.tracker_store import PrivacyAwareSQLTrackerStore  # imports Rasa: slow, so only here

        store = PrivacyAwareSQLTrackerStore(host=tracker_url)  # a URL in `host`, as Rasa passes endpoints.yml's
        before = _conversation_count(store)
        store.purge_expired(retention_days)  # its tickets' purge finds none left: done just above
        # A conversation started meanwhile would lower this count by one; none is erased twice.
        conversations = max(0, before - _conversation_count(store))
        store.engine.dispose()
    return conversations, tickets


def _missing_sqlite_file(url: str) -> bool:
    return url.startswith("sqlite:///") and not Path(url[len("sqlite:///") :]).exists()


def _conversation_count(store) -> int:
    with store.session_scope() as session:
        return session.query(store.SQLEvent.sender_id).distinct().count()


def _count(number: int, singular: str, plural: str) -> str:
    return f"{number} {singular if number <= 1 else plural}"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m ops.purge",
        description="Efface les conversations (TRACKER_DB_URL) et les demandes transmises aux conseillers "
        "(CONSEILLER_DATABASE_URL) plus anciennes que la durée de conservation des réglages "
        "(privacy.retention_days).",
    )
    parser.parse_args(argv)
    days = load_settings().retention_days
    conversations, tickets = purge(days)
    print(
        f"Durée de conservation : {days} jours. Effacé : "
        f"{_count(conversations, 'conversation', 'conversations')}, "
        f"{_count(tickets, 'demande transmise aux conseillers', 'demandes transmises aux conseillers')}."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
