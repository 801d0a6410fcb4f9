"""Conversation-wide bookkeeping: counting failed understandings, and the fallback."""

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker, ValidationAction
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import records
from actions.common import MENU_BUTTONS, latest_intent, latest_text, say, yes_no
from bot.adapters.inbox import FALLBACK
from bot.advice.suggestions import suggestions
from bot.handover.handoff import REASON_NOT_UNDERSTOOD, too_many_failures
from bot.messages import message
from bot.offers import Offer, OfferKind

NOT_UNDERSTOOD_INTENTS = ("nlu_fallback",)


class ValidateSlotMappings(ValidationAction):
    """Runs after every message. Outside a form, counts fallbacks in a row (SPEC 7); notes
    the needs and objections raised, for the dashboard."""

    async def run(self, dispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        if tracker.active_loop.get("name") != "diagnostic_form":
            # During the diagnostic a need_* intent is often an answer ("on a aucune sauvegarde"
            # to q_backup): the form notes a need or an objection only when it treats it as one.
            records.record_signals(tracker)
        return await super().run(dispatcher, tracker, domain)

    async def extract_failed_understandings(self, dispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        if tracker.active_loop.get("name"):
            return {}  # inside a form, the form's validation counts unreadable answers
        if latest_intent(tracker) in NOT_UNDERSTOOD_INTENTS:
            return {"failed_understandings": int(tracker.get_slot("failed_understandings") or 0) + 1}
        return {"failed_understandings": 0}

    async def validate_failed_understandings(
        self, value, dispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        return {"failed_understandings": value}  # nothing to check; silences the SDK's warning


class ActionNotUnderstood(Action):
    def name(self) -> Text:
        return "action_not_understood"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        records.not_understood(tracker, [latest_text(tracker)], FALLBACK)
        if too_many_failures(int(tracker.get_slot("failed_understandings") or 0)):
            say(
                dispatcher,
                message("not_understood.offer_advisor"),
                yes_no(),
            )
            return [SlotSet("pending_offer", Offer(OfferKind.HANDOFF, REASON_NOT_UNDERSTOOD).encode())]
        guesses = suggestions(tracker.latest_message.get("intent_ranking") or [])
        if guesses:
            buttons = [{"title": label, "payload": f"/{intent}"} for intent, label in guesses]
            say(
                dispatcher,
                message("not_understood.suggestions"),
                buttons + [{"title": message("buttons.something_else"), "payload": "/help"}],
            )
            return []
        say(dispatcher, message("not_understood.rephrase"), MENU_BUTTONS)
        return []
