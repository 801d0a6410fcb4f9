"""Contact details are stored only with consent (SPEC 9): typed outside the handover, or
followed by a refusal, they are masked in the stored conversation, in a real database."""

import asyncio
import json

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, ActiveLoop, BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.adapters.storage import REPO_ROOT
from rasa_addons.tracker_store import PrivacyAwareSQLTrackerStore

EMAIL, PHONE = "jeanne.martin@exemple.fr", "06 39 98 12 34"
DOMAIN = Domain.load(str(REPO_ROOT / "domain.yml"))


@pytest.fixture
def store(tmp_path):
    created = PrivacyAwareSQLTrackerStore(domain=DOMAIN, host=f"sqlite:///{tmp_path / 'tracker.db'}")
    yield created
    created.engine.dispose()


def contact_message() -> UserUttered:
    text = f"vous pouvez m'écrire à {EMAIL} ou m'appeler au {PHONE}"
    return UserUttered(
        text,
        intent={"name": "give_contact", "confidence": 1.0},
        entities=[
            {"entity": "email", "value": EMAIL, "start": 23, "end": 23 + len(EMAIL)},
            {"entity": "phone", "value": "0639981234"},
        ],
    )


def stored(store, sender_id: str) -> str:
    with store.session_scope() as session:
        rows = session.query(store.SQLEvent).filter(store.SQLEvent.sender_id == sender_id).all()
        return "\n".join(json.dumps(json.loads(row.data), ensure_ascii=False) for row in rows)


def save(store, tracker) -> None:
    asyncio.run(store.save(tracker))


def refuse(store, sender_id: str) -> None:
    """The owner answers no to the consent question, and the handover form ends."""
    tracker = asyncio.run(store.retrieve(sender_id))
    tracker.update(UserUttered("non", intent={"name": "deny", "confidence": 1.0}))
    tracker.update(SlotSet("handoff_consent", False))
    tracker.update(ActiveLoop(None))
    save(store, tracker)


def tracker_with(sender_id: str, *events) -> DialogueStateTracker:
    return DialogueStateTracker.from_events(sender_id, [ActionExecuted("action_listen"), *events], slots=DOMAIN.slots)


def test_contact_details_typed_outside_the_handover_are_stored_masked(store):
    tracker = tracker_with("outside", contact_message(), SlotSet("email", EMAIL), BotUttered(f"J'ai noté {EMAIL}."))
    save(store, tracker)
    data = stored(store, "outside")
    assert EMAIL not in data and "0639981234" not in data and "12 34" not in data
    # Each contact is replaced where it stood; the rest of the message is kept.
    events = [json.loads(line) for line in data.splitlines()]
    [said] = [event for event in events if event["event"] == "user"]
    masked = "vous pouvez m'écrire à [e-mail masqué] ou m'appeler au [téléphone masqué]"
    assert said["text"] == said["parse_data"]["text"] == masked
    assert [entity["value"] for entity in said["parse_data"]["entities"]] == ["[e-mail masqué]", "[téléphone masqué]"]
    assert [(event["name"], event["value"]) for event in events if event["event"] == "slot"] == [("email", None)]
    assert [event["text"] for event in events if event["event"] == "bot"] == ["J'ai noté [e-mail masqué]."]
    # The conversation can be read back.
    assert asyncio.run(store.retrieve("outside")).get_slot("email") is None


def test_during_the_handover_they_are_kept_until_a_refusal_masks_them_all(store):
    tracker = tracker_with(
        "refuses",
        ActiveLoop("handoff_form"),
        SlotSet("requested_slot", "handoff_consent"),
        contact_message(),
        SlotSet("email", EMAIL),
    )
    save(store, tracker)
    assert EMAIL in stored(store, "refuses")  # the owner is being asked for consent
    refuse(store, "refuses")
    data = stored(store, "refuses")
    assert EMAIL not in data and "0639981234" not in data
    assert [
        json.loads(line)["value"]
        for line in data.splitlines()
        if json.loads(line).get("event") == "slot" and json.loads(line)["name"] == "email"
    ] == [None]


def test_with_consent_they_are_kept(store):
    tracker = tracker_with(
        "consents",
        ActiveLoop("handoff_form"),
        SlotSet("handoff_consent", True),
        contact_message(),
        SlotSet("email", EMAIL),
        ActiveLoop(None),
    )
    save(store, tracker)
    assert EMAIL in stored(store, "consents")
    assert asyncio.run(store.retrieve("consents")).get_slot("email") == EMAIL


def test_a_refusal_late_in_a_long_conversation_masks_what_the_handover_kept(store):
    """The events already found free of contacts are not read again; those the handover
    added since are, and masked."""
    tracker = tracker_with("late", UserUttered("bonjour", intent={"name": "greet", "confidence": 1.0}))
    save(store, tracker)
    tracker = asyncio.run(store.retrieve("late"))
    for turn in range(3):  # messages without contacts, saved one by one by the same server
        tracker.update(UserUttered(f"réponse {turn}", intent={"name": "inform", "confidence": 1.0}))
        save(store, tracker)
    tracker.update(ActiveLoop("handoff_form"))
    tracker.update(SlotSet("requested_slot", "handoff_consent"))
    tracker.update(contact_message())
    tracker.update(SlotSet("email", EMAIL))
    save(store, tracker)
    assert EMAIL in stored(store, "late")  # kept while the owner is asked for consent
    refuse(store, "late")
    data = stored(store, "late")
    assert EMAIL not in data and "0639981234" not in data
    assert "réponse 2" in data
