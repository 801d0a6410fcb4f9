"""need_* intents: a direct answer from the catalogue, diagnostic or not (SPEC 6).

A turn stays chat-sized: short advice on the message's own topic and one resource; the
buyer's guide and more resources wait behind buttons (they reach action_answer_offer).
"""

from typing import List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import latest_entities, latest_intent, latest_text, next_unanswered, say
from bot.advice.catalogue import NEED_INTENTS, load_catalogue
from bot.advice.messages import buyers_guide_text, more_resources_text, resource_text
from bot.advice.recommendations import NeedAnswer, answer_need
from bot.messages import message
from bot.offers import Offer, OfferKind

CHOICE_ENTITY = "offer_choice"
GUIDE, MORE = "guide", "more"


def need_buttons(answer: NeedAnswer, diagnostic_done: bool, shown: str = "") -> List[dict]:
    offer = f'{{"{CHOICE_ENTITY}": "%s"}}'
    buttons = []
    if answer.guide and shown != GUIDE:
        buttons.append({"title": "Voir le guide d'achat", "payload": "/affirm" + offer % GUIDE})
    if answer.more and shown != MORE:
        buttons.append({"title": "D'autres ressources", "payload": "/affirm" + offer % MORE})
    if not diagnostic_done:
        buttons.append({"title": "Faire le diagnostic", "payload": "/start_diagnostic"})
    return buttons


def offer_of(answer: NeedAnswer) -> str:
    return Offer(OfferKind.NEED, answer.intent, answer.topic or "").encode()


class ActionAnswerNeed(Action):
    def name(self) -> Text:
        return "action_answer_need"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        intent = latest_intent(tracker)
        if intent not in NEED_INTENTS:
            return []
        answer = answer_need(load_catalogue(), intent, latest_text(tracker), location=tracker.get_slot("location"))
        diagnostic_done = next_unanswered(tracker) is None
        buttons = need_buttons(answer, diagnostic_done)
        if answer.resource:
            say(dispatcher, answer.advice)
            say(dispatcher, resource_text(answer.resource), buttons)
        else:
            say(dispatcher, answer.advice, buttons)
        stated = sorted(set((tracker.get_slot("needs_stated") or []) + [intent]))
        return [SlotSet("needs_stated", stated), SlotSet("pending_offer", offer_of(answer) if buttons else None)]


def show_more_for_need(dispatcher: CollectingDispatcher, tracker: Tracker, offer: Offer) -> List[EventType]:
    """ "Voir le guide d'achat" / "D'autres ressources" (a typed "oui" shows the guide first)."""
    intent, topic = offer.detail, offer.topic
    if intent not in NEED_INTENTS:
        return []
    answer = answer_need(load_catalogue(), intent, location=tracker.get_slot("location"), topic_id=topic or None)
    choice: Optional[str] = next(
        (entity.get("value") for entity in latest_entities(tracker) if entity.get("entity") == CHOICE_ENTITY), None
    )
    if choice not in (GUIDE, MORE):
        choice = GUIDE if answer.guide else MORE
    if choice == GUIDE and answer.guide:
        text = buyers_guide_text(answer.guide)
    elif answer.more:
        choice, text = MORE, more_resources_text(answer.more)
    else:
        say(dispatcher, message("recommendations.need_exhausted"))
        return []
    buttons = need_buttons(answer, next_unanswered(tracker) is None, shown=choice)
    say(dispatcher, text, buttons)
    return [SlotSet("pending_offer", offer.encode() if buttons else None)]
