"""The tracker store reads only the rows it does not hold, and always reads what Rasa's own
SQLTrackerStore reads: two Rasa servers on one database (SQLite and PostgreSQL), erasures,
a new session, a tracker changed but not saved, contacts masked."""

import asyncio
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import List, Optional

import pytest
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActiveLoop,
    AllSlotsReset,
    BotUttered,
    Event,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from bot.adapters.storage import REPO_ROOT
from rasa_addons.tracker_store import ERASE_ACTION, PrivacyAwareSQLTrackerStore

DOMAIN = Domain.load(str(REPO_ROOT / "domain.yml"))


def run(coroutine):
    return asyncio.run(coroutine)


def store_on(url: str, **options) -> PrivacyAwareSQLTrackerStore:
    return PrivacyAwareSQLTrackerStore(domain=DOMAIN, host=url, **options)


@pytest.fixture
def servers(database_url):
    """Two Rasa servers' tracker stores on one database, and Rasa's own store to compare."""
    first, second, rasas = store_on(database_url), store_on(database_url), SQLTrackerStore(DOMAIN, host=database_url)
    yield first, second, rasas
    for store in (first, second, rasas):
        store.engine.dispose()


def owner_says(text: str, intent: str = "greet") -> List[Event]:
    return [
        UserUttered(text, intent={"name": intent, "confidence": 0.93}),
        ActionExecuted("utter_greet"),
        BotUttered(f"Vous avez écrit : {text}", data={"buttons": [{"title": "Oui", "payload": "/affirm"}]}),
        ActionExecuted("action_listen"),
    ]


def message(store, sender: str, text: str, *extra: Event) -> DialogueStateTracker:
    """One message handled as Rasa does: read, updated, saved."""
    tracker = run(store.get_or_create_tracker(sender))
    for event in [*owner_says(text), *extra]:
        tracker.update(event)
    run(store.save(tracker))
    return tracker


def content(tracker: Optional[DialogueStateTracker]) -> Optional[list]:
    if tracker is None:
        return None
    return [
        {key: value for key, value in event.as_dict().items() if key != "metadata"} for event in tracker.events
    ], tracker.current_slot_values()


def test_a_conversation_spread_over_two_servers_reads_as_rasa_reads_it(servers):
    first, second, rasas = servers
    message(first, "owner", "bonjour", SlotSet("sector", "crafts"))
    message(first, "owner", "je suis boulanger")
    held = run(first.retrieve("owner"))
    assert run(first.retrieve("owner")) is held  # nothing new: the tracker it holds
    message(second, "owner", "on est 3", SlotSet("headcount", "2-9"))
    message(second, "owner", "a nantes")
    again = run(first.retrieve("owner"))
    assert again is held  # brought up to date, not read whole
    assert content(again) == content(run(rasas.retrieve("owner")))
    assert again.get_slot("headcount") == "2-9"
    message(first, "owner", "merci")
    assert content(run(second.retrieve("owner"))) == content(run(rasas.retrieve("owner")))
    assert content(run(first.retrieve("owner"))) == content(run(rasas.retrieve("owner")))


def test_saving_stores_each_event_once(servers):
    first, second, rasas = servers
    for text in ("bonjour", "je suis fleuriste", "deux salariés"):
        message(first, "owner", text)
        message(second, "owner", text)
    stored = run(rasas.retrieve("owner"))
    assert len(stored.events) == len(run(first.retrieve("owner")).events)
    said = [event.text for event in stored.events if isinstance(event, UserUttered)]
    assert said == ["bonjour", "bonjour", "je suis fleuriste", "je suis fleuriste", "deux salariés", "deux salariés"]


def test_an_erasure_on_the_other_server_is_seen(servers):
    first, second, rasas = servers
    message(first, "owner", "bonjour", SlotSet("sector", "crafts"))
    run(first.retrieve("owner"))
    tracker = run(second.retrieve("owner"))
    for event in [*owner_says("effacez mes données"), ActionExecuted(ERASE_ACTION), AllSlotsReset()]:
        tracker.update(event)
    run(second.save(tracker))
    assert run(rasas.retrieve("owner")) is None
    assert run(first.retrieve("owner")) is None
    fresh = message(first, "owner", "re-bonjour")
    assert fresh.get_slot("sector") is None
    assert content(run(first.retrieve("owner"))) == content(run(rasas.retrieve("owner")))


def test_a_tracker_changed_but_not_saved_is_read_again(servers):
    first, _, rasas = servers
    message(first, "owner", "bonjour")
    tracker = run(first.retrieve("owner"))
    tracker.update(SlotSet("sector", "health"))  # a message whose handling failed before the save
    read = run(first.retrieve("owner"))
    assert read is not tracker and read.get_slot("sector") is None
    assert content(read) == content(run(rasas.retrieve("owner")))


def test_a_new_session_starts_the_conversation_again_as_with_rasa(servers):
    first, second, rasas = servers
    message(first, "owner", "bonjour", SlotSet("sector", "crafts"))
    run(first.retrieve("owner"))
    tracker = run(second.retrieve("owner"))
    for event in [ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen")]:
        tracker.update(event)
    run(second.save(tracker))
    message(second, "owner", "me revoilà")
    read = run(first.retrieve("owner"))
    assert content(read) == content(run(rasas.retrieve("owner")))
    assert [event.text for event in read.events if isinstance(event, UserUttered)] == ["me revoilà"]


def test_contacts_masked_on_saving_are_masked_when_read_back(servers):
    first, _, _ = servers
    message(first, "owner", "bonjour")
    tracker = run(first.retrieve("owner"))
    tracker.update(UserUttered("mon mail : jeanne.martin@exemple.fr", intent={"name": "inform", "confidence": 1.0}))
    run(first.save(tracker))
    read = run(first.retrieve("owner"))
    assert "jeanne.martin@exemple.fr" not in read.latest_message.text


def test_it_holds_at_most_the_conversations_it_is_given(database_url):
    store = store_on(database_url, kept_conversations=2)
    try:
        for sender in ("a", "b", "c"):
            message(store, sender, "bonjour")
            run(store.retrieve(sender))
        assert store.kept_senders() == ["b", "c"]
        run(store.retrieve("b"))
        assert store.kept_senders() == ["c", "b"]  # the most recently used last
    finally:
        store.engine.dispose()


def test_zero_reads_every_conversation_whole(database_url):
    store = store_on(database_url, kept_conversations=0)
    try:
        message(store, "owner", "bonjour")
        assert run(store.retrieve("owner")) is not run(store.retrieve("owner"))
        assert store.kept_senders() == []
    finally:
        store.engine.dispose()


def test_contacts_masked_after_a_refusal_are_masked_on_the_other_server_too(servers):
    first, second, _ = servers
    message(first, "owner", "bonjour")
    tracker = run(first.retrieve("owner"))
    for event in [
        ActiveLoop("handoff_form"),
        SlotSet("requested_slot", "handoff_consent"),
        UserUttered("jeanne.martin@exemple.fr", intent={"name": "inform", "confidence": 1.0}),
        SlotSet("email", "jeanne.martin@exemple.fr"),
    ]:
        tracker.update(event)
    run(first.save(tracker))  # kept while the owner is asked for consent
    assert run(second.retrieve("owner")).get_slot("email") == "jeanne.martin@exemple.fr"  # the other server keeps it
    tracker = run(first.retrieve("owner"))
    for event in [
        UserUttered("non", intent={"name": "deny", "confidence": 1.0}),
        SlotSet("handoff_consent", False),
        ActiveLoop(None),
    ]:
        tracker.update(event)
    run(first.save(tracker))
    read = run(second.retrieve("owner"))
    assert read.get_slot("email") is None
    assert all("jeanne.martin@exemple.fr" not in (getattr(event, "text", None) or "") for event in read.events)


def test_servers_starting_together_on_a_new_database_do_not_wait_for_each_other(database_url):
    """Rasa creates its table at each start: on a new PostgreSQL database, servers starting
    together collided, and Rasa made every one but the first wait 5 seconds."""
    together = threading.Barrier(8)

    def start(_):
        together.wait()
        return store_on(database_url)

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=8) as pool:
        stores = list(pool.map(start, range(8)))
    assert time.monotonic() - started < 4
    message(stores[0], "owner", "bonjour")
    assert content(run(stores[7].retrieve("owner"))) == content(run(stores[0].retrieve("owner")))
    for store in stores:
        store.engine.dispose()
