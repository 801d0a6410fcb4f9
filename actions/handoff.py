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
from bot.adapters.advisors import advisor_repository
from bot.adapters.notifications import notify_new_ticket
from bot.diagnostic.corrections import is_explicit_correction
from bot.handover.handoff import REASON_REQUESTED, ticket_fields, transcript_from_events, what_happens_next
from bot.language.entities import find_contacts, normalize_email, normalize_phone
from bot.language.keywords import DONT_KNOW_PHRASES, match_keywords
from bot.messages import message
from bot.offers import Offer, OfferKind
from bot.settings import load_settings

YES_NO = yes_no("consent_yes")
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
            say(dispatcher, message("handoff.consent_unclear"), YES_NO)
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
            say(dispatcher, message("handoff.contact_unreadable"))
            return {"contact": None}
        return {"contact": found["email"] or found["phone"], "email": found["email"], "phone": found["phone"]}

    async def validate_preferred_time(self, value, dispatcher, tracker, domain) -> Dict[Text, Any]:
        text = str(value or "").strip()
        if latest_intent(tracker) == "dont_know" or match_keywords(text, [("any", NO_PREFERENCE + DONT_KNOW_PHRASES)]):
            return {"preferred_time": message("handoff.no_preference")}
        return {"preferred_time": text[:200]}


class AskHandoffConsent(Action):
    def name(self) -> Text:
        return "action_ask_handoff_consent"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        say(dispatcher, message("handoff.consent_question"), YES_NO)
        return []


class AskContact(Action):
    def name(self) -> Text:
        return "action_ask_contact"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        say(dispatcher, message("handoff.contact_question"))
        return []


class AskPreferredTime(Action):
    def name(self) -> Text:
        return "action_ask_preferred_time"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        times = [message(f"buttons.time_{when}") for when in ("morning", "early_afternoon", "end_of_day", "any")]
        say(dispatcher, message("handoff.time_question"), [{"title": t, "payload": t} for t in times])
        return []


class ActionCreateHandoffTicket(Action):
    def name(self) -> Text:
        return "action_create_handoff_ticket"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        settings = load_settings()
        events: List[EventType] = [SlotSet(slot, None) for slot in CONTACT_SLOTS] + [SlotSet("pending_offer", None)]
        if tracker.get_slot("handoff_status") in ("queued", "live"):
            say(dispatcher, message("handoff.already_sent", delay=settings.response_delay))
            return events
        if not tracker.get_slot("handoff_consent") or not (tracker.get_slot("email") or tracker.get_slot("phone")):
            say(dispatcher, message("handoff.declined"), MENU_BUTTONS)
            return events + [SlotSet("email", None), SlotSet("phone", None), SlotSet("handoff_status", "none")]
        since = storage.utcnow() - timedelta(days=1)
        tickets = storage.ticket_repository()
        if tickets.count_created_since(tracker.sender_id, since) >= settings.limits.tickets_per_day_per_conversation:
            say(dispatcher, message("handoff.too_many_today", delay=settings.response_delay), MENU_BUTTONS)
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
        ticket_id = tickets.create(fields)
        # In the background: the owner's answer must not wait for a slow mail server.
        asyncio.get_running_loop().run_in_executor(None, notify_new_ticket, ticket_id, fields)
        if slots["email"]:
            how = message("handoff.by_email", email=slots["email"])
        else:
            how = message("handoff.by_phone", phone=slots["phone"])
        when = slots["preferred_time"] or message("handoff.no_preference")
        say(
            dispatcher,
            what_happens_next(ticket_id, how, when, settings, advisor_repository().online_count(), storage.utcnow()),
        )
        events += [SlotSet("handoff_status", "queued"), SlotSet("handoff_reason", None)]
        answered_some = any(tracker.get_slot(question) is not None for question in ("sector", "q_digital_plan"))
        if next_unanswered(tracker) is not None and answered_some:
            say(dispatcher, message("handoff.finish_diagnostic_offer"), yes_no("keep_going"))
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
            say(dispatcher, message("offers.nothing_changed"))
            if next_unanswered(tracker) is not None and tracker.get_slot("sector") is not None:
                return events + [FollowupAction("diagnostic_form")]
        elif kind is OfferKind.HANDOFF:
            if accepted:
                return events + [SlotSet("handoff_reason", offer.detail), FollowupAction("handoff_form")]
            say(dispatcher, message("offers.advisor_declined"))
        elif kind is OfferKind.MORE_RECOMMENDATIONS:
            if accepted:
                return events + [FollowupAction("action_more_recommendations")]
            say(dispatcher, message("offers.more_declined"))
        elif kind is OfferKind.NEED:
            if accepted:
                return events + show_more_for_need(dispatcher, tracker, offer)
            say(dispatcher, message("offers.need_declined"))
        elif kind is OfferKind.RESUME_DIAGNOSTIC:
            if accepted:
                say(dispatcher, message("offers.resuming"))
                return events + [FollowupAction("diagnostic_form")]
            say(dispatcher, message("offers.resume_declined"))
        elif accepted:
            say(dispatcher, message("offers.what_now"), MENU_BUTTONS)
        else:
            say(dispatcher, message("offers.nothing_pending"))
        return events
