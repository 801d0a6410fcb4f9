"""Scores, result message and recommendations once the diagnostic is complete."""

from typing import Any, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import records
from actions.common import MENU_BUTTONS, answers, questionnaire, say, yes_no
from bot.adapters import storage
from bot.advice.catalogue import load_catalogue
from bot.advice.figures import load_figures
from bot.advice.messages import recommendations_text, result_card, result_text
from bot.advice.recommendations import Recommendation, recommend
from bot.diagnostic.scoring import DiagnosticResult, missing_answers, score
from bot.handover.handoff import automatic_reason
from bot.messages import message
from bot.offers import Offer, OfferKind
from bot.report.progress import progress_between, progress_sentence
from bot.report.records import DiagnosticRecord

YES_NO = yes_no()


def current_result(tracker: Tracker) -> DiagnosticResult:
    return score(questionnaire(), answers(tracker))


def first_recommendations(tracker: Tracker, result: DiagnosticResult) -> List[Recommendation]:
    return recommend(load_catalogue(), result, location=tracker.get_slot("location"))


def say_result(
    dispatcher: CollectingDispatcher,
    result: DiagnosticResult,
    recommendations: List[Recommendation],
    intro: str = "",
    progress: Optional[str] = None,
) -> None:
    """Sends the result, what changed since the owner's previous diagnostic, and the first
    recommendations."""
    say(dispatcher, intro + result_text(questionnaire(), result, load_figures()))
    dispatcher.utter_message(json_message=result_card(questionnaire(), result))
    if progress:
        say(dispatcher, progress)
    say(dispatcher, recommendations_text(questionnaire(), recommendations))


def progress_line(stored: DiagnosticRecord, result: DiagnosticResult) -> Optional[str]:
    """ "Depuis votre diagnostic du 12 mars : +15 points en …", when there was one."""
    previous = records.previous_diagnostic(stored)
    if previous is None or previous.score_overall is None or previous.completed_at is None:
        return None
    progress = progress_between(
        previous.completed_at,
        previous.dimension_scores,
        previous.score_overall,
        result.dimension_scores,
        result.overall,
    )
    return progress_sentence(progress, storage.utcnow())


def say_bilan_link(dispatcher: CollectingDispatcher, bilan_id: str) -> None:
    url, pdf_url = records.bilan_urls(bilan_id)
    say(dispatcher, message("results.bilan_link", url=url, pdf_url=pdf_url))


class ActionDiagnosticResults(Action):
    def name(self) -> Text:
        return "action_diagnostic_results"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        missing = missing_answers(questionnaire(), answers(tracker))
        if missing:
            answered = len(questionnaire().question_ids) - len(missing)
            if answered == 0:
                say(dispatcher, message("results.not_started", total=len(questionnaire().question_ids)), YES_NO)
            else:
                total = len(questionnaire().question_ids)
                say(dispatcher, message("results.unfinished", count=answered, total=total), YES_NO)
            return [SlotSet("pending_offer", Offer(OfferKind.RESUME_DIAGNOSTIC).encode())]
        result = current_result(tracker)
        recommendations = first_recommendations(tracker, result)
        stored = records.diagnostic_completed(tracker, result, [item.entry.id for item in recommendations])
        progress = progress_line(stored, result) if stored is not None else None
        say_result(dispatcher, result, recommendations, progress=progress)
        if stored is not None:
            say_bilan_link(dispatcher, stored.id)
        events: List[EventType] = [
            SlotSet("score_overall", round(result.overall, 2)),
            SlotSet("maturity_level", result.level),
            SlotSet("dimension_scores", {key: round(value, 2) for key, value in result.dimension_scores.items()}),
            SlotSet("recommendations_shown", [item.entry.id for item in recommendations]),
            SlotSet("bilan_id", stored.id if stored is not None else tracker.get_slot("bilan_id")),
        ]
        reason = automatic_reason(result)
        if reason and tracker.get_slot("handoff_status") in (None, "none", "closed"):
            say(dispatcher, message(f"results.offer_{reason}"), YES_NO)
            events.append(SlotSet("pending_offer", Offer(OfferKind.HANDOFF, reason).encode()))
        else:
            say(dispatcher, message("results.more_offer"), YES_NO)
            events.append(SlotSet("pending_offer", Offer(OfferKind.MORE_RECOMMENDATIONS).encode()))
        return events


class ActionMoreRecommendations(Action):
    def name(self) -> Text:
        return "action_more_recommendations"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        if missing_answers(questionnaire(), answers(tracker)):
            say(dispatcher, message("results.more_needs_diagnostic"), MENU_BUTTONS)
            return []
        shown = tracker.get_slot("recommendations_shown") or []
        more = recommend(
            load_catalogue(), current_result(tracker), already_shown=shown, location=tracker.get_slot("location")
        )
        say(dispatcher, recommendations_text(questionnaire(), more, first=False))
        return [
            SlotSet("recommendations_shown", shown + [item.entry.id for item in more]),
            SlotSet("pending_offer", None),
        ]


class ActionSendReport(Action):
    """request_report: the whole report, in the conversation."""

    def name(self) -> Text:
        return "action_send_report"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        if missing_answers(questionnaire(), answers(tracker)):
            say(dispatcher, message("results.report_not_ready"), YES_NO)
            return [SlotSet("pending_offer", Offer(OfferKind.RESUME_DIAGNOSTIC).encode())]
        shown: List[Any] = tracker.get_slot("recommendations_shown") or []
        result = current_result(tracker)
        recommendations = first_recommendations(tracker, result)
        say_result(dispatcher, result, recommendations, intro=message("results.report_intro") + "\n\n")
        stored = records.completed_bilan(tracker)
        if stored is not None:
            say_bilan_link(dispatcher, stored.id)
        else:
            say(dispatcher, message("results.report_keep"))
        return [SlotSet("recommendations_shown", sorted(set(shown) | {item.entry.id for item in recommendations}))]
