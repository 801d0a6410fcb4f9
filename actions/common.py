"""Small adapters shared by the actions: tracker reading and message sending."""

from typing import Any, Dict, List, Optional

from rasa_sdk import Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.diagnostic.questionnaire import PROFILE_SLOTS, Questionnaire, load_questionnaire
from bot.messages import message


def yes_no(yes: str = "yes", no: str = "no_thanks") -> List[dict]:
    """Buttons for a yes/no offer (titles named in the messages file's `buttons`); the
    answer reaches action_answer_offer."""
    return [
        {"title": message(f"buttons.{yes}"), "payload": "/affirm"},
        {"title": message(f"buttons.{no}"), "payload": "/deny"},
    ]


# Built when the action server starts: a broken messages file stops it there, not mid-chat.
MENU_BUTTONS = [
    {"title": message("buttons.start_diagnostic"), "payload": "/start_diagnostic"},
    {"title": message("buttons.request_advisor"), "payload": "/request_advisor"},
]


def questionnaire() -> Questionnaire:
    return load_questionnaire()


def answers(tracker: Tracker) -> Dict[str, Any]:
    return {question_id: tracker.get_slot(question_id) for question_id in questionnaire().question_ids}


def profile(tracker: Tracker) -> Dict[str, Any]:
    return {slot: tracker.get_slot(slot) for slot in PROFILE_SLOTS}


def next_unanswered(tracker: Tracker) -> Optional[str]:
    for slot in questionnaire().slot_order:
        if tracker.get_slot(slot) is None:
            return slot
    return None


def latest_intent(tracker: Tracker) -> Optional[str]:
    return (tracker.latest_message.get("intent") or {}).get("name")


def latest_text(tracker: Tracker) -> str:
    return tracker.latest_message.get("text") or ""


def latest_entities(tracker: Tracker) -> List[dict]:
    return tracker.latest_message.get("entities") or []


def retrieval_response(tracker: Tracker) -> Optional[str]:
    """The utter_faq/… or utter_objection/… response chosen by the ResponseSelector."""
    intent = latest_intent(tracker)
    selector = (tracker.latest_message.get("response_selector") or {}).get(intent) or {}
    return (selector.get("response") or {}).get("utter_action")


def say(dispatcher: CollectingDispatcher, text: str, buttons: Optional[List[dict]] = None) -> None:
    dispatcher.utter_message(text=text, buttons=buttons or [])


def leave_form(tracker: Tracker) -> List[EventType]:
    """Events that pause the active form (its answers stay in their slots)."""
    if tracker.active_loop.get("name"):
        return [ActiveLoop(None), SlotSet("requested_slot", None)]
    return []


def offer_is_fresh(tracker: Tracker, offer: str) -> bool:
    """True when the offer was made in answer to the owner's previous message, so that the
    latest message answers it. A confirmation left pending while the conversation moved on
    (an unrelated turn in between) is stale: a later "oui" must not confirm it."""
    users_since = 0
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            users_since += 1
        elif event.get("event") == "slot" and event.get("name") == "pending_offer" and event.get("value") == offer:
            return users_since == 1
    return False
