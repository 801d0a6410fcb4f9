"""The diagnostic form: asking each question, reading answers, digressions, corrections."""

from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import records
from actions.common import (
    answers,
    latest_entities,
    latest_intent,
    latest_text,
    leave_form,
    next_unanswered,
    questionnaire,
    retrieval_response,
    say,
    yes_no,
)
from bot.adapters import inbox
from bot.advice.catalogue import load_catalogue
from bot.advice.messages import buttons_for, clarify_text, question_text
from bot.advice.recommendations import answer_need
from bot.diagnostic import dialogue
from bot.diagnostic.answer_reader import load_reader
from bot.diagnostic.answers import ANSWER, NOT_UNDERSTOOD, Interpretation, interpret, is_button, noted_text
from bot.diagnostic.corrections import is_explicit_correction, question_to_correct
from bot.diagnostic.profile import (
    known_profile_text,
    read_headcount,
    read_location,
    read_sector,
)
from bot.diagnostic.questionnaire import DONT_KNOW, PROFILE_SLOTS
from bot.labels import load_labels
from bot.language.entities import default_vocabulary
from bot.language.entity_contract import contract_value
from bot.messages import message
from bot.offers import Offer, OfferKind

RESULT_SLOTS = ("score_overall", "maturity_level", "dimension_scores")
# A question gets at most this many unread answers in a row; then "je ne sais pas" is recorded.
MAX_ASKS = 3

PROFILE_READERS = {"sector": read_sector, "headcount": read_headcount, "location": read_location}


def _profile_buttons(slot: str) -> List[Dict[str, str]]:
    if slot == "sector":
        return [{"title": label, "payload": label} for label in load_labels().sectors.values()]
    if slot == "headcount":
        return [{"title": message("buttons.works_alone"), "payload": message("buttons.works_alone")}]
    return []


def _answered_in_order(tracker: Tracker) -> List[str]:
    return [
        event["name"]
        for event in tracker.events
        if event.get("event") == "slot"
        and event.get("name") in questionnaire().slot_order
        and event.get("value") is not None
    ]


def _progress_text(tracker: Tracker) -> str:
    remaining = sum(1 for value in answers(tracker).values() if value is None)
    return message("diagnostic.progress", count=remaining)


class ValidateDiagnosticForm(FormValidationAction):
    """Reads each answer with bot.diagnostic.answers; answers digressions without losing the question."""

    def name(self) -> Text:
        return "validate_diagnostic_form"

    def __getattr__(self, attribute: str):
        # The SDK looks up one validate_<slot> method per slot of the form: the 18 slots
        # share one reading, so the methods are made here instead of written 18 times.
        if attribute.startswith("validate_"):
            slot = attribute[len("validate_") :]
            if slot in questionnaire().slot_order:

                async def validate(value, dispatcher, tracker, domain):
                    if tracker.get_slot("requested_slot") != slot:
                        return {slot: self._known_value(slot, value)}
                    return self._validate(slot, dispatcher, tracker)

                return validate
        raise AttributeError(attribute)

    def _interpret(self, slot: str, tracker: Tracker) -> Interpretation:
        text, intent, entities = latest_text(tracker), latest_intent(tracker), latest_entities(tracker)
        if slot in PROFILE_READERS:
            if intent in ("ask_why", "faq", "objection", "help", "bot_challenge", "out_of_scope") and slot != "sector":
                return Interpretation(NOT_UNDERSTOOD)
            value = PROFILE_READERS[slot](text, entities)
            return Interpretation(ANSWER, value) if value is not None else Interpretation(NOT_UNDERSTOOD)
        return interpret(questionnaire().question(slot), text, intent, entities)

    @staticmethod
    def _known_value(slot: str, value: Any) -> Any:
        """A slot filled before it was asked (a fact given earlier, an entity in another
        answer): kept when it is a valid value, never re-read from the latest message."""
        if slot == "sector":
            return value if value in load_labels().sectors else None
        if slot == "headcount":
            return contract_value("headcount", value) if isinstance(value, (int, float)) else read_headcount(str(value))
        if slot == "location":
            return contract_value("location", value)
        return value

    async def required_slots(self, domain_slots, dispatcher, tracker, domain) -> List[Text]:
        """A profile question given up on after three tries is not asked again."""
        skipped = set(tracker.get_slot("skipped_profile") or [])
        return [slot for slot in domain_slots if slot not in skipped]

    def _validate(self, slot: str, dispatcher: CollectingDispatcher, tracker: Tracker) -> Dict[Text, Any]:
        text = latest_text(tracker)
        if slot not in PROFILE_SLOTS and is_explicit_correction(text):
            correction = self._correct(slot, dispatcher, tracker)
            if correction is not None:
                return correction
        intent = latest_intent(tracker)
        interpretation = self._interpret(slot, tracker)
        confidence = float((tracker.latest_message.get("intent") or {}).get("confidence") or 0.0)
        reaction = dialogue.reaction(interpretation, intent, text, confidence)
        if reaction == dialogue.STORE:
            return self._store(slot, interpretation.value, dispatcher, tracker)
        result: Dict[Text, Any] = {slot: None}
        if reaction in dialogue.UNANSWERED or (reaction == dialogue.RETRIEVAL and not retrieval_response(tracker)):
            # A digression that got its answer (pourquoi ?, c'est quoi le cloud ?) is not a
            # failed try; an unread, unclear or off-topic answer is.
            attempts = int(tracker.get_slot("question_attempts") or 0) + 1
            if attempts >= MAX_ASKS:
                return self._give_up(slot, dispatcher, tracker)
            result["question_attempts"] = attempts
            if slot not in PROFILE_SLOTS and records.clarified_last_turn(tracker.events, slot):
                records.not_understood(tracker, [text], inbox.CLARIFICATION_FAILED, slot)
        if reaction == dialogue.CLARIFY:
            clarifying, buttons = clarify_text(questionnaire().question(slot), interpretation.candidates)
            say(dispatcher, clarifying, buttons)
            result["pending_clarification"] = slot
        elif reaction == dialogue.EXPLAIN:
            say(dispatcher, self._why(slot))
        elif reaction == dialogue.RETRIEVAL and retrieval_response(tracker):
            dispatcher.utter_message(response=retrieval_response(tracker))
            records.record_signals(tracker)  # an objection raised mid-diagnostic
        elif reaction == dialogue.NEED:
            records.record_signals(tracker)
            advice = answer_need(load_catalogue(), intent, text).advice
            say(dispatcher, message("diagnostic.need_during_diagnostic", advice=advice))
            result["needs_stated"] = sorted(set((tracker.get_slot("needs_stated") or []) + [intent]))
        elif reaction == dialogue.HELP:
            say(dispatcher, message("diagnostic.help"))
        elif reaction == dialogue.BOT_CHALLENGE:
            dispatcher.utter_message(response="utter_bot_challenge")
        elif reaction == dialogue.GREET:
            say(dispatcher, message("diagnostic.greeted_again"))
        elif reaction == dialogue.THANK:
            say(dispatcher, message("diagnostic.thanked"))
        elif reaction == dialogue.PROGRESS:
            say(dispatcher, _progress_text(tracker))
        elif reaction == dialogue.OUT_OF_SCOPE:
            say(dispatcher, message("diagnostic.out_of_scope"))
        else:
            failures = int(tracker.get_slot("failed_understandings") or 0) + 1
            result["failed_understandings"] = failures
            say(dispatcher, self._not_understood_text(slot, failures))
        return result

    @staticmethod
    def _store(slot: str, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker) -> Dict[Text, Any]:
        text = latest_text(tracker)
        if slot not in PROFILE_SLOTS and not is_button(questionnaire().question(slot), text):
            # Read back what was understood from a typed answer, so that a misreading shows.
            say(dispatcher, noted_text(questionnaire().question(slot), value))
        if slot == "q_digital_benefit" and value == "no":
            dispatcher.utter_message(response="utter_objection/usefulness")
        return {slot: value, "failed_understandings": 0, "pending_clarification": None, "question_attempts": 0}

    def _give_up(self, slot: str, dispatcher: CollectingDispatcher, tracker: Tracker) -> Dict[Text, Any]:
        """Third unread answer in a row: the diagnostic moves on instead of asking again."""
        reset = {"failed_understandings": 0, "pending_clarification": None, "question_attempts": 0}
        if slot in PROFILE_SLOTS:
            say(dispatcher, message("diagnostic.profile_skipped"))
            if slot == "sector":
                return {slot: "other", **reset}
            skipped = sorted(set((tracker.get_slot("skipped_profile") or []) + [slot]))
            return {slot: None, "skipped_profile": skipped, **reset}
        say(dispatcher, message("diagnostic.answer_skipped"))
        tries = records.earlier_unread_tries(tracker.events, slot) + [latest_text(tracker)]
        records.not_understood(tracker, tries, inbox.ANSWER_GIVEN_UP, slot)
        return {slot: DONT_KNOW, **reset}

    def _correct(self, slot: str, dispatcher: CollectingDispatcher, tracker: Tracker) -> Optional[Dict[Text, Any]]:
        """Explicit correction language while a question waits: that answer is asked again."""
        current = answers(tracker) | {item: tracker.get_slot(item) for item in PROFILE_SLOTS}
        current[slot] = None  # holds the text just typed, not an answer
        target = question_to_correct(questionnaire(), latest_text(tracker), _answered_in_order(tracker), current)
        if target is None:
            return None
        say(dispatcher, message("diagnostic.ask_again"))
        return {
            target: None,
            slot: None,
            "pending_clarification": None,
            "question_attempts": 0,
            **{result: None for result in RESULT_SLOTS},
        }

    @staticmethod
    def _why(slot: str) -> str:
        if slot in PROFILE_SLOTS:
            return questionnaire().profile_question(slot).why
        return questionnaire().question(slot).why

    @staticmethod
    def _not_understood_text(slot: str, failures: int) -> str:
        if failures >= 2:
            return message("diagnostic.not_understood_again")
        if slot in PROFILE_SLOTS:
            return message(f"diagnostic.hint_{slot}")
        return message("diagnostic.not_understood")


class AskSlot(Action):
    """Asks one slot of the diagnostic form (registered once per slot below)."""

    slot: str = ""

    def name(self) -> Text:
        return f"action_ask_{self.slot}"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        if tracker.get_slot("pending_clarification") == self.slot:
            # The clarifying question was just asked; do not repeat the whole question.
            return [SlotSet("pending_clarification", None)]
        if self.slot in PROFILE_SLOTS:
            say(dispatcher, questionnaire().profile_question(self.slot).text, _profile_buttons(self.slot))
        else:
            question = questionnaire().question(self.slot)
            say(dispatcher, question_text(questionnaire(), question), buttons_for(question))
        new_bilan_id = records.question_asked(tracker, self.slot)
        return [SlotSet("bilan_id", new_bilan_id)] if new_bilan_id else []


# Trained (or read from its cache in var/) when the action server starts, not at the
# first answer an owner types; the entity vocabulary likewise.
load_reader()
default_vocabulary()

for _slot in questionnaire().slot_order:
    globals()[f"AskSlot_{_slot}"] = type(f"AskSlot_{_slot}", (AskSlot,), {"slot": _slot})


class ActionStartDiagnostic(Action):
    def name(self) -> Text:
        return "action_start_diagnostic"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        pending = next_unanswered(tracker)
        answered = sum(1 for value in answers(tracker).values() if value is not None)
        if pending is None:
            say(dispatcher, message("diagnostic.already_complete"))
        elif answered:
            say(dispatcher, message("diagnostic.resume", count=answered, total=len(questionnaire().question_ids)))
        else:
            known = known_profile_text(
                tracker.get_slot("sector"), tracker.get_slot("headcount"), tracker.get_slot("location")
            )
            say(dispatcher, known + message("diagnostic.start", total=len(questionnaire().question_ids)))
        return [SlotSet("pending_offer", None)]


class ActionPauseDiagnostic(Action):
    """stop / goodbye: leaves the form; every answer given so far is kept."""

    def name(self) -> Text:
        return "action_pause_diagnostic"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        answered = sum(1 for value in answers(tracker).values() if value is not None)
        unfinished = next_unanswered(tracker) is not None
        goodbye = latest_intent(tracker) == "goodbye"
        if unfinished and (answered or tracker.active_loop.get("name")):
            paused = "diagnostic.paused_goodbye" if goodbye else "diagnostic.paused"
            text = message(paused, answered=answered, total=len(questionnaire().question_ids))
        elif goodbye:
            text = message("diagnostic.goodbye")
        else:
            text = message("diagnostic.standing_by")
        resume = (
            [{"title": message("buttons.resume_diagnostic"), "payload": "/start_diagnostic"}]
            if unfinished and answered
            else []
        )
        say(dispatcher, text, resume)
        return leave_form(tracker) + [SlotSet("pending_offer", None), SlotSet("pending_clarification", None)]


def restart_events() -> List[EventType]:
    slots = (
        list(questionnaire().slot_order)
        + list(RESULT_SLOTS)
        + ["requested_slot", "pending_clarification", "pending_offer"]
    )
    return [SlotSet(slot, None) for slot in slots] + [
        SlotSet("bilan_id", None),  # the next question starts a new diagnostic, with its own bilan
        SlotSet("recommendations_shown", []),
        SlotSet("failed_understandings", 0),
        SlotSet("question_attempts", 0),
        SlotSet("skipped_profile", []),
        FollowupAction("diagnostic_form"),
    ]


class ActionRestartDiagnostic(Action):
    """restart: forgets the answers and the profile, then the form starts again.

    It replaces Rasa's default action_restart, which Rasa runs for the `restart` intent
    (SPEC 2 gives that name to "on recommence le diagnostic"): the owner starts again
    from zero but the conversation itself is kept. Answers already given are only
    erased after a "oui", so that a misunderstood message never loses them.
    """

    def name(self) -> Text:
        return "action_restart"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        answered = [slot for slot in questionnaire().slot_order if tracker.get_slot(slot) is not None]
        if not answered or tracker.get_slot("pending_offer") == Offer(OfferKind.RESTART).encode():
            say(dispatcher, message("diagnostic.restarted_erased" if answered else "diagnostic.restarted"))
            records.diagnostic_restarted(tracker)
            return restart_events()
        say(
            dispatcher,
            message("diagnostic.restart_confirm", count=len(answered)),
            yes_no("restart_confirm", "restart_cancel"),
        )
        return leave_form(tracker) + [SlotSet("pending_offer", Offer(OfferKind.RESTART).encode())]


class ActionCorrectAnswer(Action):
    """correct_answer: clears the answer to correct so that the form asks it again."""

    def name(self) -> Text:
        return "action_correct_answer"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        target = question_to_correct(
            questionnaire(),
            latest_text(tracker),
            _answered_in_order(tracker),
            answers(tracker) | {slot: tracker.get_slot(slot) for slot in PROFILE_SLOTS},
        )
        if target is None:
            say(dispatcher, message("diagnostic.nothing_to_correct"))
            return [SlotSet("pending_clarification", None)]
        say(dispatcher, message("diagnostic.ask_again"))
        return (
            [SlotSet(target, None), SlotSet("pending_clarification", None), SlotSet("question_attempts", 0)]
            + [SlotSet(slot, None) for slot in RESULT_SLOTS]
            + [FollowupAction("diagnostic_form")]
        )


class ActionExplainQuestion(Action):
    """ask_why outside the form: explains the last question asked, if any."""

    def name(self) -> Text:
        return "action_explain_question"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        slot: Optional[str] = tracker.get_slot("requested_slot") or next_unanswered(tracker)
        if slot and slot in questionnaire().slot_order:
            say(dispatcher, ValidateDiagnosticForm._why(slot))
        else:
            say(dispatcher, message("diagnostic.why_in_general"))
        return []
