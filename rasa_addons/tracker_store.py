"""SQL tracker store that honours erasure requests and the retention period (SPEC 9)."""
import logging
import time
from typing import Any

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import ActionExecuted, AllSlotsReset, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot import storage
from bot.settings import load_settings

logger = logging.getLogger(__name__)

ERASE_ACTION = "action_delete_my_data"
PURGE_EVERY_SECONDS = 3600


def erasure_requested(tracker: DialogueStateTracker) -> bool:
    """True when, since the last user message, action_delete_my_data erased the slots
    (it does so only once the owner has confirmed)."""
    reset_seen = False
    for event in reversed(tracker.events):
        if isinstance(event, UserUttered):
            return False
        if isinstance(event, AllSlotsReset):
            reset_seen = True
        if isinstance(event, ActionExecuted) and event.action_name == ERASE_ACTION and reset_seen:
            return True
    return False


class PrivacyAwareSQLTrackerStore(SQLTrackerStore):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._last_purge = 0.0

    async def save(self, tracker: DialogueStateTracker) -> None:
        if erasure_requested(tracker):
            with self.session_scope() as session:
                session.query(self.SQLEvent).filter(self.SQLEvent.sender_id == tracker.sender_id).delete()
                session.commit()
            logger.info("Conversation erased at the owner's request.")
            return
        await super().save(tracker)
        if time.time() - self._last_purge > PURGE_EVERY_SECONDS:
            self._last_purge = time.time()
            self.purge_expired(load_settings().retention_days)

    def purge_expired(self, retention_days: int) -> None:
        """Deletes the conversations and tickets older than the retention period."""
        limit = time.time() - retention_days * 86400
        with self.session_scope() as session:
            stale = [
                row[0]
                for row in session.query(self.SQLEvent.sender_id)
                .group_by(self.SQLEvent.sender_id)
                .having(self._max_timestamp() < limit)
            ]
            if stale:
                session.query(self.SQLEvent).filter(self.SQLEvent.sender_id.in_(stale)).delete(synchronize_session=False)
            session.commit()
        storage.purge_older_than(retention_days)

    def _max_timestamp(self):
        import sqlalchemy as sa

        return sa.func.max(self.SQLEvent.timestamp)
