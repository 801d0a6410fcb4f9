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
from bot.offers import Offer, OfferKind

YES_NO = yes_no()
HANDOFF_OFFERS = {
    "basic_level": (
        "Votre entreprise a de belles marges de progrès, et c'est exactement le rôle de nos conseillers : "
        "un échange d'une demi-heure permet souvent de choisir les deux ou trois premières actions utiles. "
        "Voulez-vous qu'un conseiller vous recontacte ?"
    ),
    "security_low": (
        "Votre score en cybersécurité est bas : une seule attaque (rançongiciel, piratage de messagerie) peut bloquer "
        "votre activité plusieurs jours. Un conseiller peut vous aider à mettre en place les protections essentielles. "
        "Voulez-vous qu'il vous recontacte ?"
    ),
}


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
                say(
                    dispatcher,
                    "Je n'ai pas encore de résultat pour vous : il faut d'abord faire le diagnostic (15 questions, environ 5 minutes). On commence ?",
                    YES_NO,
                )
            else:
                say(
                    dispatcher,
                    f"Votre diagnostic n'est pas terminé : vous avez répondu à {answered} questions sur 15. On continue ?",
                    YES_NO,
                )
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
            say(dispatcher, HANDOFF_OFFERS[reason], YES_NO)
            events.append(SlotSet("pending_offer", Offer(OfferKind.HANDOFF, reason).encode()))
        else:
            say(dispatcher, "Voulez-vous d'autres pistes ?", YES_NO)
            events.append(SlotSet("pending_offer", Offer(OfferKind.MORE_RECOMMENDATIONS).encode()))
        return events


class ActionMoreRecommendations(Action):
    def name(self) -> Text:
        return "action_more_recommendations"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        if missing_answers(questionnaire(), answers(tracker)):
            say(
                dispatcher,
                "Pour des pistes adaptées à votre entreprise, faisons d'abord le diagnostic. Vous pouvez aussi me dire directement ce dont vous avez besoin.",
                MENU_BUTTONS,
            )
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
            say(dispatcher, "Le bilan sera prêt à la fin du diagnostic. On continue ?", YES_NO)
            return [SlotSet("pending_offer", Offer(OfferKind.RESUME_DIAGNOSTIC).encode())]
        shown: List[Any] = tracker.get_slot("recommendations_shown") or []
        recommendations = say_result(
            dispatcher, tracker, current_result(tracker), intro="Voici votre bilan complet :\n\n"
        )
        say(
            dispatcher,
            "Vous pouvez copier ce bilan. Si vous souhaitez le recevoir par un conseiller, dites « je veux parler à un conseiller ».",
        )
        return [SlotSet("recommendations_shown", sorted(set(shown) | {item.entry.id for item in recommendations}))]
