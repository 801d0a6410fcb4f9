"""Scores, result message and recommendations once the diagnostic is complete."""

from typing import Any, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import MENU_BUTTONS, answers, questionnaire, say, yes_no
from bot.advice.catalogue import load_catalogue
from bot.advice.figures import load_figures
from bot.advice.messages import recommendations_text, result_card, result_text
from bot.advice.recommendations import Recommendation, recommend
from bot.diagnostic.scoring import DiagnosticResult, missing_answers, score
from bot.handover.handoff import automatic_reason
from bot.messages import message
from bot.offers import Offer, OfferKind

YES_NO = yes_no()


def current_result(tracker: Tracker) -> DiagnosticResult:
    return score(questionnaire(), answers(tracker))


def say_result(
    dispatcher: CollectingDispatcher, tracker: Tracker, result: DiagnosticResult, intro: str = ""
) -> List[Recommendation]:
    """Sends the result and the first recommendations; returns the recommendations."""
    say(dispatcher, intro + result_text(questionnaire(), result, load_figures()))
    dispatcher.utter_message(json_message=result_card(questionnaire(), result))
    recommendations = recommend(load_catalogue(), result, location=tracker.get_slot("location"))
    say(dispatcher, recommendations_text(questionnaire(), recommendations))
    return recommendations


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
        recommendations = say_result(dispatcher, tracker, result)
        events: List[EventType] = [
            SlotSet("score_overall", round(result.overall, 2)),
            SlotSet("maturity_level", result.level),
            SlotSet("dimension_scores", {key: round(value, 2) for key, value in result.dimension_scores.items()}),
            SlotSet("recommendations_shown", [item.entry.id for item in recommendations]),
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
        recommendations = say_result(
            dispatcher, tracker, current_result(tracker), intro=message("results.report_intro") + "\n\n"
        )
        say(dispatcher, message("results.report_keep"))
        return [SlotSet("recommendations_shown", sorted(set(shown) | {item.entry.id for item in recommendations}))]
