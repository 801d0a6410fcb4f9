"""SQL tracker store that honours erasure requests and the retention period (SPEC 9)."""

import itertools
import json
import logging
import time
from typing import Any

from rasa.shared.core.events import ActionExecuted, AllSlotsReset, BotUttered, Event, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

import bot.adapters.log_privacy  # noqa: F401 (masks contact details in every log record of the Rasa server)
from bot.adapters.retention import purge_records_older_than
from bot.language.contact_redaction import CONTACT_SLOTS, contacts_may_be_kept, has_contact, redact_event
from bot.settings import load_settings
from rasa_addons.incremental_tracker_store import IncrementalSQLTrackerStore

logger = logging.getLogger(__name__)

ERASE_ACTION = "action_delete_my_data"
PURGE_EVERY_SECONDS = 3600
# Set on a tracker: its events (the deque) and how many of the first hold no contact detail.
CONTACT_FREE_EVENTS = "_conseiller_contact_free_events"


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


class PrivacyAwareSQLTrackerStore(IncrementalSQLTrackerStore):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._last_purge = 0.0

    async def save(self, tracker: DialogueStateTracker) -> None:
        if erasure_requested(tracker):
            with self.session_scope() as session:
                session.query(self.SQLEvent).filter(self.SQLEvent.sender_id == tracker.sender_id).delete()
                session.commit()
            self.forget(tracker.sender_id)
            logger.info("Conversation erased at the owner's request.")
            return
        if contacts_may_be_kept(tracker.get_slot("handoff_consent"), tracker.active_loop_name):
            await super().save(tracker)
        else:
            await self.stream_events(tracker)
            self._save_without_contacts(tracker)
        if time.time() - self._last_purge > PURGE_EVERY_SECONDS:
            self._last_purge = time.time()
            self.purge_expired(load_settings().retention_days)

    def _save_without_contacts(self, tracker: DialogueStateTracker) -> None:
        """Rasa's save, with contact details masked in the new events and, when earlier ones
        kept some (given during a handover that then ended without consent), in those too."""

        def mask_earlier_rows(session: Any, stored: int) -> bool:
            # The events already found free of contacts are not read again at each message.
            events, checked = tracker.__dict__.get(CONTACT_FREE_EVENTS, (None, 0))
            checked = min(checked, stored) if events is tracker.events else 0
            if not any(_holds_contact(event) for event in itertools.islice(tracker.events, checked, stored)):
                tracker.__dict__[CONTACT_FREE_EVENTS] = (tracker.events, stored)
                return False
            # Written again as new rows, in the same order: another Rasa server that keeps this
            # conversation finds its rows gone and reads the masked ones (incremental_tracker_store).
            conversation = self.SQLEvent.sender_id == tracker.sender_id
            rows = session.query(self.SQLEvent).filter(conversation).order_by(self.SQLEvent.id).all()
            masked = [
                {
                    "sender_id": row.sender_id,
                    "type_name": row.type_name,
                    "timestamp": row.timestamp,
                    "intent_name": row.intent_name,
                    "action_name": row.action_name,
                    "data": json.dumps(redact_event(json.loads(row.data))),
                }
                for row in rows
            ]
            # Inserted before the old rows are deleted: SQLite would give a deleted highest id again.
            if masked:
                session.execute(self.SQLEvent.__table__.insert(), masked)
            old_ids = [row.id for row in rows]
            session.query(self.SQLEvent).filter(self.SQLEvent.id.in_(old_ids)).delete(synchronize_session=False)
            return True

        self.save_new_events(tracker, prepare=redact_event, before_insert=mask_earlier_rows)

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
                session.query(self.SQLEvent).filter(self.SQLEvent.sender_id.in_(stale)).delete(
                    synchronize_session=False
                )
            session.commit()
        self.forget_all()
        purge_records_older_than(retention_days)

    def _max_timestamp(self):
        import sqlalchemy as sa

        return sa.func.max(self.SQLEvent.timestamp)


def _holds_contact(event: Event) -> bool:
    if isinstance(event, SlotSet):
        return event.key in CONTACT_SLOTS and event.value is not None
    if isinstance(event, (UserUttered, BotUttered)):
        return has_contact(event.text)
    return False
