"""Rasa's SQL tracker store, reading back only what it does not hold already.

Rasa 3.6's `SQLTrackerStore` reads every event of the conversation at every message, decodes
each from JSON and replays them all into a new tracker, then counts them all again in the
database before saving the new ones. Profiled under load (py-spy, owners doing diagnostics),
that was about a third of the Rasa server's CPU per message, growing with the conversation.

This store keeps the trackers it last read or wrote, the most recent conversations first, with
the id range of the rows they came from. For the next message it asks the database only for the
rows added since (by another Rasa server, or an API call) and checks, by counting them, that the
rows it holds are all still there (erased, purged and rewritten rows are deleted or get new
ids). It then replays only the new rows into the tracker it holds. Anything unexpected (a new
session started, rows missing, a tracker changed in memory but not saved, an event that does
not decode) makes it read the whole conversation again, as Rasa does.

On the embedded SQLite (`make run`), the file is in write-ahead-log mode with pooled
connections (bot/adapters/embedded_sqlite.py): a commit no longer waits for the disk at every
message, on Sanic's only thread.

Several Rasa servers share one database: each holds its own trackers and reads the rows the
others added. Writes for one conversation are serialised by Rasa's lock store, so no row can
appear below the highest id a server holds.
"""

from __future__ import annotations

import inspect
import itertools
import json
import logging
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Optional, Text

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import SessionStarted, deserialise_events
from rasa.shared.core.trackers import DialogueStateTracker

from bot.adapters import embedded_sqlite, migrations

logger = logging.getLogger(__name__)

# A tracker at the end of a diagnostic (about 270 events) holds about 0.65 MB: 200 of them are
# at most 130 MB per Rasa server.
DEFAULT_KEPT_CONVERSATIONS = 200


def create_table_one_server_at_a_time(*args: Any, **kwargs: Any) -> None:
    """Creates Rasa's table of events, if missing, under our migrations' lock (PostgreSQL).

    Rasa creates it at each start. Servers starting together on a new PostgreSQL database
    (a first deployment, each test or benchmark run) all tried at once: PostgreSQL refused all
    but one, and Rasa made each of the others wait 5 seconds before trying again. Any failure
    here is left to Rasa's own loop, which waits for the database as before."""
    arguments = inspect.signature(SQLTrackerStore.__init__).bind(None, *args, **kwargs)
    arguments.apply_defaults()
    given = arguments.arguments
    if given.get("login_db"):
        return  # Rasa creates the database first
    url = SQLTrackerStore.get_db_url(
        given["dialect"], given["host"], given["port"], given["db"], given["username"], given["password"]
    )
    if not str(url).startswith("postgresql"):
        return
    engine = sa.create_engine(url)
    try:
        with migrations.exclusive(engine) as connection:
            SQLTrackerStore.Base.metadata.create_all(connection)
    except sa.exc.SQLAlchemyError as failure:
        logger.debug("Rasa's table not created before Rasa: %s", type(failure).__name__)
    finally:
        engine.dispose()


@dataclass
class KeptTracker:
    """A tracker as saved or read, and the rows of the database it matches, one per event."""

    tracker: DialogueStateTracker
    first_row_id: int
    last_row_id: int
    rows: int

    def unchanged_since_kept(self) -> bool:
        """False when something updated the tracker without saving it (a message whose
        handling failed, for instance)."""
        return len(self.tracker.events) == self.rows


class IncrementalSQLTrackerStore(SQLTrackerStore):
    """`SQLTrackerStore` that keeps recent trackers in memory and reads only the new rows.

    `kept_conversations` (endpoints.yml, under tracker_store): how many conversations each Rasa
    server keeps, the least recently used dropped first; 0 reads every conversation whole, as
    Rasa does. A conversation kept by a server that did not handle its last message costs one
    read of the rows added since; one that is not kept, Rasa's whole read.
    """

    def __init__(self, *args: Any, kept_conversations: int = DEFAULT_KEPT_CONVERSATIONS, **kwargs: Any) -> None:
        create_table_one_server_at_a_time(*args, **kwargs)
        super().__init__(*args, **kwargs)
        self.kept_conversations = int(kept_conversations)
        self._kept: "OrderedDict[str, KeptTracker]" = OrderedDict()
        self._tune_embedded_sqlite()

    def _tune_embedded_sqlite(self) -> None:
        url = self.engine.url
        if not embedded_sqlite.is_sqlite_file(url):
            return
        self.engine.dispose()
        self.engine = embedded_sqlite.use_write_ahead_log(sa.create_engine(url, **embedded_sqlite.engine_options(url)))
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)

    # --- reading ---------------------------------------------------------------------------

    async def retrieve(self, sender_id: Text) -> Optional[DialogueStateTracker]:
        kept = self._kept.get(sender_id)
        if kept is not None and kept.unchanged_since_kept():
            tracker = self._brought_up_to_date(kept)
            if tracker is not None:
                self._kept.move_to_end(sender_id)
                return tracker
        self.forget(sender_id)
        return self._read_whole(sender_id)

    def _brought_up_to_date(self, kept: KeptTracker) -> Optional[DialogueStateTracker]:
        """The kept tracker with the rows added since, or None when it must be read whole."""
        sender_id = kept.tracker.sender_id
        event_row = self.SQLEvent
        with self.session_scope() as session:
            new_rows = (
                session.query(event_row.id, event_row.type_name, event_row.data)
                .filter(event_row.sender_id == sender_id, event_row.id > kept.last_row_id)
                .order_by(event_row.id)
                .all()
            )
            still_there = (
                session.query(sa.func.count(event_row.id))
                .filter(event_row.sender_id == sender_id, event_row.id.between(kept.first_row_id, kept.last_row_id))
                .scalar()
            )
        if still_there != kept.rows:
            return None
        if any(row.type_name == SessionStarted.type_name for row in new_rows):
            return None  # Rasa's query starts the conversation at its last session: read it so
        new_events = deserialise_events([json.loads(row.data) for row in new_rows])
        if len(new_events) != len(new_rows):
            return None
        for event in new_events:
            kept.tracker.update(event)
        if new_rows:
            kept.last_row_id = new_rows[-1].id
            kept.rows += len(new_rows)
        return kept.tracker

    def _read_whole(self, sender_id: Text) -> Optional[DialogueStateTracker]:
        """Rasa's read of the latest session; the tracker is kept when every row decoded."""
        with self.session_scope() as session:
            rows = self._event_query(session, sender_id, fetch_events_from_all_sessions=False).all()
            if not (self.domain and rows):
                return None
            tracker = DialogueStateTracker.from_dict(
                sender_id, [json.loads(row.data) for row in rows], self.domain.slots
            )
            if len(tracker.events) == len(rows):
                self._keep(KeptTracker(tracker, rows[0].id, rows[-1].id, len(rows)))
        return tracker

    # --- writing ---------------------------------------------------------------------------

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Rasa's save (only the events not stored yet), without counting the stored ones
        again when the tracker is one this store holds."""
        await self.stream_events(tracker)
        self.save_new_events(tracker)

    def save_new_events(
        self,
        tracker: DialogueStateTracker,
        prepare: Optional[Callable[[Dict[str, Any]], Dict[str, Any]]] = None,
        before_insert: Optional[Callable[[Any, int], bool]] = None,
    ) -> None:
        """Inserts the tracker's events that are not stored yet.

        `prepare` turns an event's dictionary into the one stored (the tracker is then no
        longer kept when it changed one: what is stored differs from what is in memory).
        `before_insert(session, stored)`, called in the same transaction, may change earlier
        rows; it returns True when it did (the tracker is then no longer kept either).
        """
        with self.session_scope() as session:
            stored = self.stored_event_count(session, tracker)
            rewrote = before_insert(session, stored) if before_insert else False
            rows, altered = [], False
            for event in itertools.islice(tracker.events, stored, None):
                data = event.as_dict()
                if prepare is not None:
                    prepared = prepare(data)
                    altered = altered or prepared != data
                    data = prepared
                rows.append(
                    {
                        "sender_id": tracker.sender_id,
                        "type_name": event.type_name,
                        "timestamp": data.get("timestamp"),
                        "intent_name": data.get("parse_data", {}).get("intent", {}).get("name"),
                        "action_name": data.get("name"),
                        "data": json.dumps(data),
                    }
                )
            last_row_id = None
            if rows:
                # One statement for all of them (Rasa adds them one by one), then the highest id
                # of the conversation: nobody else writes it meanwhile (Rasa's lock store).
                session.execute(self.SQLEvent.__table__.insert(), rows)
                last_row_id = (
                    session.query(sa.func.max(self.SQLEvent.id))
                    .filter(self.SQLEvent.sender_id == tracker.sender_id)
                    .scalar()
                )
            session.commit()
        if rewrote or altered:
            self.forget(tracker.sender_id)
        else:
            self._remember_saved(tracker, stored, len(rows), last_row_id)
        logger.debug("Tracker with sender_id '%s' stored to database", tracker.sender_id)

    def stored_event_count(self, session: Any, tracker: DialogueStateTracker) -> int:
        """How many of the tracker's events are in the database already."""
        kept = self._kept.get(tracker.sender_id)
        if kept is not None and kept.tracker is tracker:
            return kept.rows
        return self._event_query(session, tracker.sender_id, fetch_events_from_all_sessions=False).count()

    def _remember_saved(
        self, tracker: DialogueStateTracker, stored: int, added: int, last_row_id: Optional[int]
    ) -> None:
        kept = self._kept.get(tracker.sender_id)
        if kept is not None and kept.tracker is tracker and kept.rows == stored:
            if added and last_row_id is not None:
                kept.last_row_id = last_row_id
                kept.rows += added
            self._kept.move_to_end(tracker.sender_id)
        else:
            # A tracker this store did not read, or no longer holds (a new conversation: Rasa's
            # read starts at its session start, not at its first event): read whole next time.
            self.forget(tracker.sender_id)

    # --- what is kept ----------------------------------------------------------------------

    def _keep(self, kept: KeptTracker) -> None:
        if self.kept_conversations <= 0:
            return
        self._kept[kept.tracker.sender_id] = kept
        self._kept.move_to_end(kept.tracker.sender_id)
        while len(self._kept) > self.kept_conversations:
            self._kept.popitem(last=False)

    def forget(self, sender_id: Text) -> None:
        """The next read of this conversation reads it whole."""
        self._kept.pop(sender_id, None)

    def forget_all(self) -> None:
        self._kept.clear()

    def kept_senders(self) -> List[str]:
        return list(self._kept)
