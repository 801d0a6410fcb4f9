"""Handover to a human advisor (SPEC 7): consent, contact, preferred time, ticket."""

import asyncio
from datetime import timedelta
from typing import Any, Dict, List, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import (
    MENU_BUTTONS,
    answers,
    latest_entities,
    latest_intent,
    latest_text,
    next_unanswered,
    offer_is_fresh,
    say,
    yes_no,
)
from actions.needs import show_more_for_need
from bot.adapters import storage
from bot.adapters.advisors import advisors_online
from bot.adapters.notifications import notify_new_ticket
from bot.diagnostic.corrections import is_explicit_correction
from bot.handover.handoff import REASON_REQUESTED, ticket_fields, transcript_from_events, what_happens_next
from bot.language.entities import find_contacts, normalize_email, normalize_phone
from bot.language.keywords import DONT_KNOW_PHRASES, match_keywords
from bot.offers import Offer, OfferKind
from bot.settings import load_settings

YES_NO = yes_no("Oui, j'accepte")
YES_WORDS = ("oui", "ouais", "d accord", "ok", "j accepte", "bien sur", "pas de souci", "vas y", "allez y")
NO_WORDS = ("non", "nan", "pas d accord", "je refuse", "non merci", "plutot pas", "je prefere pas", "je ne prefere pas")
NO_PREFERENCE = (
    "peu importe",
    "n importe quand",
    "quand vous voulez",
    "pas de preference",
    "comme vous voulez",
    "indifferent",
)
CONTACT_SLOTS = ("handoff_consent", "contact", "preferred_time")


def _contact_from(tracker: Tracker) -> Dict[str, Any]:
    found = find_contacts(latest_text(tracker))
    for entity in latest_entities(tracker):
        if entity.get("entity") == "email" and not found["email"]:
            found["email"] = normalize_email(str(entity.get("value")))
        if entity.get("entity") == "phone" and not found["phone"]:
            found["phone"] = normalize_phone(str(entity.get("value")))
    return found


class ValidateHandoffForm(FormValidationAction):
    def name(self) -> Text:
        return "validate_handoff_form"

    async def required_slots(self, domain_slots, dispatcher, tracker, domain) -> List[Text]:
        if tracker.get_slot("handoff_status") in ("queued", "live"):
            return []  # a request is already open: nothing to ask
        if tracker.get_slot("handoff_consent") is False:
            return ["handoff_consent"]
        if tracker.get_slot("email") or tracker.get_slot("phone"):
            return ["handoff_consent", "preferred_time"]
        return list(CONTACT_SLOTS)

    async def validate_handoff_consent(self, value, dispatcher, tracker, domain) -> Dict[Text, Any]:
        if value is True or value is False:
            consent = value
        else:
            words = match_keywords(str(value), [("yes", YES_WORDS), ("no", NO_WORDS)])
            consent = True if words == ["yes"] else False if words == ["no"] else None
        if consent is None:
            say(
                dispatcher,
                "Je n'ai pas compris : acceptez-vous qu'un conseiller utilise vos coordonnées pour vous recontacter ?",
                YES_NO,
            )
            return {"handoff_consent": None}
        if not consent:
            # No consent: no personal data is kept.
            return {"handoff_consent": False, "email": None, "phone": None, "contact": None}
        return {"handoff_consent": True}

    async def validate_contact(self, value, dispatcher, tracker, domain) -> Dict[Text, Any]:
        if latest_intent(tracker) == "deny":
            return {"contact": None, "handoff_consent": False, "email": None, "phone": None}
        found = _contact_from(tracker)
        if not found["email"] and not found["phone"]:
            say(
                dispatcher,
                "Je n'ai pas reconnu d'adresse e-mail ni de numéro de téléphone français. Pouvez-vous vérifier ? Par exemple : contact@monentreprise.fr ou 06 12 34 56 78.",
            )
            return {"contact": None}
        return {"contact": found["email"] or found["phone"], "email": found["email"], "phone": found["phone"]}

    async def validate_preferred_time(self, value, dispatcher, tracker, domain) -> Dict[Text, Any]:
        text = str(value or "").strip()
        if latest_intent(tracker) == "dont_know" or match_keywords(text, [("any", NO_PREFERENCE + DONT_KNOW_PHRASES)]):
            return {"preferred_time": "pas de préférence"}
        return {"preferred_time": text[:200]}


class AskHandoffConsent(Action):
    def name(self) -> Text:
        return "action_ask_handoff_consent"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        say(
            dispatcher,
            "Je peux transmettre votre demande à un conseiller, qui vous recontactera. Pour cela, je vais vous demander "
            "un e-mail ou un téléphone et un moment qui vous arrange, ainsi que le résumé de notre échange. "
            "Ces informations ne serviront qu'à vous recontacter et vous pourrez les faire effacer à tout moment. "
            "Êtes-vous d'accord ?",
            YES_NO,
        )
        return []


class AskContact(Action):
    def name(self) -> Text:
        return "action_ask_contact"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        say(
            dispatcher,
            "Merci ! À quelle adresse e-mail ou à quel numéro de téléphone le conseiller peut-il vous joindre ?",
        )
        return []


class AskPreferredTime(Action):
    def name(self) -> Text:
        return "action_ask_preferred_time"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        times = ["En matinée", "En début d'après-midi", "En fin de journée", "Peu importe"]
        say(
            dispatcher,
            "Quel moment vous arrange le mieux pour être recontacté ?",
            [{"title": t, "payload": t} for t in times],
        )
        return []


class ActionCreateHandoffTicket(Action):
    def name(self) -> Text:
        return "action_create_handoff_ticket"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        settings = load_settings()
        events: List[EventType] = [SlotSet(slot, None) for slot in CONTACT_SLOTS] + [SlotSet("pending_offer", None)]
        if tracker.get_slot("handoff_status") in ("queued", "live"):
            say(
                dispatcher,
                f"Votre demande est déjà transmise : un conseiller vous recontactera {settings.response_delay}.",
            )
            return events
        if not tracker.get_slot("handoff_consent") or not (tracker.get_slot("email") or tracker.get_slot("phone")):
            say(
                dispatcher,
                "Très bien, je ne transmets rien et je ne garde aucune coordonnée. Je reste à votre disposition.",
                MENU_BUTTONS,
            )
            return events + [SlotSet("email", None), SlotSet("phone", None), SlotSet("handoff_status", "none")]
        since = storage.utcnow() - timedelta(days=1)
        if storage.tickets_created_since(tracker.sender_id, since) >= settings.limits.tickets_per_day_per_conversation:
            say(
                dispatcher,
                "Vous avez déjà transmis plusieurs demandes aujourd'hui : un conseiller vous recontactera "
                f"{settings.response_delay}. Je n'en crée pas de nouvelle pour l'instant.",
                MENU_BUTTONS,
            )
            return events + [SlotSet("handoff_status", "none")]
        slots = {
            name: tracker.get_slot(name)
            for name in (
                "email",
                "phone",
                "preferred_time",
                "sector",
                "headcount",
                "location",
                "score_overall",
                "maturity_level",
                "dimension_scores",
            )
        }
        reason = tracker.get_slot("handoff_reason") or REASON_REQUESTED
        fields = ticket_fields(
            sender_id=tracker.sender_id,
            channel=(tracker.get_latest_input_channel() or None),
            reason=reason,
            slots=slots,
            needs=tracker.get_slot("needs_stated") or [],
            transcript=transcript_from_events(tracker.events),
        )
        fields["consent_at"] = storage.utcnow()
        ticket_id = storage.create_ticket(fields)
        # In the background: the owner's answer must not wait for a slow mail server.
        asyncio.get_running_loop().run_in_executor(None, notify_new_ticket, ticket_id, fields)
        how = f"par e-mail ({slots['email']})" if slots["email"] else f"par téléphone ({slots['phone']})"
        when = slots["preferred_time"] or "pas de préférence"
        say(dispatcher, what_happens_next(ticket_id, how, when, settings, advisors_online(), storage.utcnow()))
        events += [SlotSet("handoff_status", "queued"), SlotSet("handoff_reason", None)]
        answered_some = any(tracker.get_slot(question) is not None for question in ("sector", "q_digital_plan"))
        if next_unanswered(tracker) is not None and answered_some:
            say(
                dispatcher,
                "En attendant, voulez-vous terminer le diagnostic ? Vos réponses sont gardées.",
                yes_no("Oui, on continue"),
            )
            events.append(SlotSet("pending_offer", Offer(OfferKind.RESUME_DIAGNOSTIC).encode()))
        return events


class ActionAnswerOffer(Action):
    """affirm / deny: answers whatever the assistant offered last."""

    def name(self) -> Text:
        return "action_answer_offer"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        offer = Offer.decode(tracker.get_slot("pending_offer"))
        kind = offer.kind if offer is not None else None
        accepted = latest_intent(tracker) == "affirm"
        events: List[EventType] = [SlotSet("pending_offer", None)]
        if not accepted and is_explicit_correction(latest_text(tracker)) and any(answers(tracker).values()):
            # "non, c'est pas ça" just after the last answer was read back with the result
            return events + [FollowupAction("action_correct_answer")]
        if kind is not None and kind.is_confirmation and not offer_is_fresh(tracker, offer.encode()):
            kind = None  # asked before an unrelated turn: this "oui" does not confirm it
        if kind is not None and kind.is_confirmation:
            if accepted:  # the action itself sees the confirmation in pending_offer
                return [FollowupAction("action_restart" if kind is OfferKind.RESTART else "action_delete_my_data")]
            say(dispatcher, "D'accord, je ne touche à rien.")
            if next_unanswered(tracker) is not None and tracker.get_slot("sector") is not None:
                return events + [FollowupAction("diagnostic_form")]
        elif kind is OfferKind.HANDOFF:
            if accepted:
                return events + [SlotSet("handoff_reason", offer.detail), FollowupAction("handoff_form")]
            say(dispatcher, "Très bien. Si vous changez d'avis, dites simplement « je veux parler à un conseiller ».")
        elif kind is OfferKind.MORE_RECOMMENDATIONS:
            if accepted:
                return events + [FollowupAction("action_more_recommendations")]
            say(dispatcher, "D'accord ! Je reste disponible si vous avez une question ou un besoin précis.")
        elif kind is OfferKind.NEED:
            if accepted:
                return events + show_more_for_need(dispatcher, tracker, offer)
            say(dispatcher, "D'accord ! Je reste disponible si vous avez une autre question.")
        elif kind is OfferKind.RESUME_DIAGNOSTIC:
            if accepted:
                say(dispatcher, "On reprend !")
                return events + [FollowupAction("diagnostic_form")]
            say(
                dispatcher,
                "Pas de souci, vos réponses sont gardées. Dites « reprendre le diagnostic » quand vous voulez.",
            )
        elif accepted:
            say(dispatcher, "D'accord ! Que souhaitez-vous faire ?", MENU_BUTTONS)
        else:
            say(
                dispatcher,
                "Très bien. Je reste disponible : posez-moi une question ou dites-moi ce dont vous avez besoin.",
            )
        return events
