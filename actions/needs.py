"""need_* intents: a direct answer from the catalogue, diagnostic or not (SPEC 6)."""
from typing import List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import latest_intent, next_unanswered, say, yes_no
from bot.catalogue import NEED_INTENTS, load_catalogue
from bot.messages import need_text
from bot.recommendations import for_need


class ActionAnswerNeed(Action):
    def name(self) -> Text:
        return "action_answer_need"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        intent = latest_intent(tracker)
        if intent not in NEED_INTENTS:
            return []
        catalogue = load_catalogue()
        entries = for_need(catalogue, intent, location=tracker.get_slot("location"))
        say(dispatcher, need_text(catalogue.needs[intent].intro, entries))
        events: List[EventType] = [SlotSet("needs_stated", sorted(set((tracker.get_slot("needs_stated") or []) + [intent])))]
        if next_unanswered(tracker) is not None:
            say(dispatcher, "Pour des conseils adaptés à votre entreprise, je vous propose un diagnostic rapide (environ 5 minutes). On le fait ?", yes_no("Oui, allons-y", "Pas maintenant"))
            events.append(SlotSet("pending_offer", "resume_diagnostic"))
        else:
            events.append(SlotSet("pending_offer", None))
        return events
