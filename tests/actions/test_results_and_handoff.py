"""Results, recommendations, needs, handover and erasure actions."""

import asyncio

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.conversation import ActionNotUnderstood, ValidateSlotMappings
from actions.diagnostic_form import ActionCorrectAnswer
from actions.handoff import ActionAnswerOffer, ActionCreateHandoffTicket, ValidateHandoffForm
from actions.needs import ActionAnswerNeed
from actions.privacy import ActionDeleteMyData
from actions.results import ActionDiagnosticResults, ActionMoreRecommendations
from bot.adapters import storage
from bot.advice.catalogue import load_catalogue
from bot.diagnostic.questionnaire import DONT_KNOW, load_questionnaire
from tests.actions.conftest import answering, make_tracker, recorded_tracker, run, slot_events
from tests.helpers import best_answers

Q = load_questionnaire()
PROFILE = {"sector": "crafts", "headcount": 3, "location": "Lille"}


def all_answers(value=DONT_KNOW, **overrides):
    answers = {question_id: value for question_id in Q.question_ids}
    answers.update(overrides)
    return answers


def test_results_set_the_spec_slots_and_offer_an_advisor_to_a_beginner():
    messages, events = run(
        ActionDiagnosticResults(), make_tracker("mes résultats", "ask_results", slots={**PROFILE, **all_answers()})
    )
    slots = slot_events(events)
    assert slots["score_overall"] == 0 and slots["maturity_level"] == "basic"
    assert slots["dimension_scores"] == {d.id: 0 for d in Q.dimensions}
    assert messages[0]["text"].startswith("Voici votre résultat : 0/100, niveau « Débutant ».")
    comparisons = messages[0]["text"].split("\n\nPour vous situer :\n")[1].splitlines()
    assert len(comparisons) == 3 and all(line.startswith("• ") and " % " in line for line in comparisons)  # SME figures
    assert len(slots["recommendations_shown"]) == 3
    assert slots["pending_offer"] == "handoff:basic_level"
    assert messages[-1]["text"] == (
        "Votre entreprise a de belles marges de progrès, et c'est exactement le rôle de nos conseillers : un échange "
        "d'une demi-heure permet souvent de choisir les deux ou trois premières actions utiles. Voulez-vous qu'un "
        "conseiller vous recontacte ?"
    )
    assert [button["title"] for button in messages[-1]["buttons"]] == ["Oui", "Non merci"]


def test_a_leader_gets_recommendations_and_no_advisor_push():
    messages, events = run(ActionDiagnosticResults(), make_tracker(slots={**PROFILE, **best_answers(Q)}))
    slots = slot_events(events)
    assert slots["maturity_level"] == "leader" and slots["score_overall"] == 100
    assert slots["pending_offer"] == "more_recommendations"


def test_a_low_security_score_alone_triggers_the_advisor_offer():
    answers = best_answers(Q)
    answers.update({"q_backup": "none", "q_security_measures": ["antivirus"]})
    _, events = run(ActionDiagnosticResults(), make_tracker(slots={**PROFILE, **answers}))
    assert slot_events(events)["pending_offer"] == "handoff:security_low"


@pytest.mark.parametrize(
    "answers, expected",
    [
        ({"q_digital_plan": "idea"}, "vous avez répondu à 1 question sur 15"),
        ({"q_digital_plan": "idea", "q_digital_benefit": "no"}, "vous avez répondu à 2 questions sur 15"),
    ],
)
def test_results_before_the_end_say_how_far_the_owner_is(answers, expected):
    messages, events = run(ActionDiagnosticResults(), make_tracker(slots={**PROFILE, **answers}))
    assert [message["text"] for message in messages] == [
        f"Votre diagnostic n'est pas terminé : {expected}. On continue ?"
    ]
    assert slot_events(events)["pending_offer"] == "resume_diagnostic"


def test_more_recommendations_never_repeat_the_ones_shown():
    slots = {**PROFILE, **all_answers(), "recommendations_shown": []}
    _, first = run(ActionDiagnosticResults(), make_tracker(slots=slots))
    shown = slot_events(first)["recommendations_shown"]
    _, more = run(ActionMoreRecommendations(), make_tracker(slots={**slots, "recommendations_shown": shown}))
    new = slot_events(more)["recommendations_shown"][len(shown) :]
    assert new and not set(new) & set(shown)


def test_a_need_is_answered_from_the_catalogue_with_links():
    messages, events = run(ActionAnswerNeed(), make_tracker("je veux vendre en ligne", "need_online_sales"))
    need = load_catalogue().needs["need_online_sales"]
    assert messages[0]["text"] == need.intro
    assert "http" in messages[1]["text"] and len(messages) == 2
    assert [button["title"] for button in messages[1]["buttons"]] == [
        "Voir le guide d'achat",
        "D'autres ressources",
        "Faire le diagnostic",
    ]
    assert slot_events(events)["needs_stated"] == ["need_online_sales"]
    assert slot_events(events)["pending_offer"] == "need:need_online_sales:"


def test_the_buyers_guide_and_more_resources_come_when_clicked():
    offer = {"pending_offer": "need:need_management_tools:invoicing"}
    guide = [{"entity": "offer_choice", "value": "guide"}]
    messages, events = run(ActionAnswerOffer(), make_tracker("/affirm", "affirm", guide, slots=offer))
    assert messages[0]["text"].startswith("Bien choisir") and "factur" in messages[0]["text"]
    assert [button["title"] for button in messages[0]["buttons"]] == ["D'autres ressources", "Faire le diagnostic"]
    more = [{"entity": "offer_choice", "value": "more"}]
    messages, events = run(ActionAnswerOffer(), make_tracker("/affirm", "affirm", more, slots=offer))
    assert messages[0]["text"].startswith("Aussi") and "https://" in messages[0]["text"]


def test_consent_refused_keeps_no_contact():
    tracker = answering(
        "handoff_consent", "non", "deny", slots={"email": "contact@atelier.fr"}, value=False, form="handoff_form"
    )
    _, events = run(ValidateHandoffForm(), tracker)
    assert slot_events(events)["email"] is None


def test_an_invalid_contact_is_asked_again():
    tracker = answering(
        "contact", "mon num c'est le 12", "give_contact", slots={"handoff_consent": True}, form="handoff_form"
    )
    messages, events = run(ValidateHandoffForm(), tracker)
    assert slot_events(events)["contact"] is None and "téléphone" in messages[0]["text"]


def test_a_ticket_holds_profile_scores_needs_and_transcript():
    events = [
        {"event": "user", "text": "je veux parler à un conseiller", "timestamp": 1},
        {"event": "bot", "text": "Je peux transmettre…", "timestamp": 2},
    ]
    slots = {
        **PROFILE,
        "handoff_consent": True,
        "email": "contact@atelier.fr",
        "preferred_time": "En matinée",
        "score_overall": 42.5,
        "maturity_level": "intermediate",
        "dimension_scores": {"security": 20.0},
        "needs_stated": ["need_cybersecurity"],
    }
    messages, result = run(ActionCreateHandoffTicket(), make_tracker(slots=slots, events=events, sender_id="owner-42"))
    assert slot_events(result)["handoff_status"] == "queued"
    [ticket] = storage.ticket_repository().for_sender("owner-42")
    assert (ticket.email, ticket.sector, ticket.headcount, ticket.score_overall) == (
        "contact@atelier.fr",
        "crafts",
        3,
        42.5,
    )
    assert ticket.needs == ["need_cybersecurity"] and ticket.transcript[0]["text"] == "je veux parler à un conseiller"
    assert f"n° {ticket.id}" in messages[0]["text"] and "deux jours ouvrés" in messages[0]["text"]


def test_a_conversation_cannot_create_more_tickets_a_day_than_the_limit():
    slots = {"handoff_consent": True, "email": "contact@atelier.fr", "preferred_time": "En matinée"}
    for _ in range(3):  # settings.yml: limits.tickets_per_day_per_conversation
        run(ActionCreateHandoffTicket(), make_tracker(slots=slots, sender_id="owner-46"))
    messages, result = run(ActionCreateHandoffTicket(), make_tracker(slots=slots, sender_id="owner-46"))
    assert len(storage.ticket_repository().for_sender("owner-46")) == 3
    assert "déjà transmis plusieurs demandes" in messages[0]["text"] and slot_events(result)["handoff_status"] == "none"


def test_without_consent_no_ticket_is_created():
    _, result = run(ActionCreateHandoffTicket(), make_tracker(slots={"handoff_consent": False}, sender_id="owner-43"))
    assert storage.ticket_repository().for_sender("owner-43") == [] and slot_events(result)["handoff_status"] == "none"


def test_delete_my_data_asks_for_confirmation_then_erases_the_tickets():
    storage.ticket_repository().create({"sender_id": "owner-44", "reason": "requested", "email": "contact@atelier.fr"})
    messages, events = run(
        ActionDeleteMyData(), make_tracker("supprimez mes données", "delete_my_data", sender_id="owner-44")
    )
    assert len(storage.ticket_repository().for_sender("owner-44")) == 1 and "Confirmez-vous" in messages[0]["text"]
    assert slot_events(events)["pending_offer"] == "delete_my_data"
    answered = asked_then("delete_my_data", "oui")
    _, events = run(
        ActionAnswerOffer(),
        make_tracker("oui", "affirm", slots={"pending_offer": "delete_my_data"}, sender_id="owner-44", events=answered),
    )
    assert events[-1]["name"] == "action_delete_my_data"
    _, events = run(
        ActionDeleteMyData(),
        make_tracker("oui", "affirm", slots={"pending_offer": "delete_my_data"}, sender_id="owner-44", events=answered),
    )
    assert storage.ticket_repository().for_sender("owner-44") == []
    assert any(event["event"] == "reset_slots" for event in events)


def asked_then(offer, *owner_messages):
    """The recorded events: the assistant asks to confirm `offer`, then the owner writes."""
    return [
        {"event": "user", "text": "…"},
        {"event": "slot", "name": "pending_offer", "value": offer},
        *({"event": "user", "text": text} for text in owner_messages),
    ]


def test_a_yes_after_an_unrelated_turn_does_not_confirm_an_erasure():
    storage.ticket_repository().create({"sender_id": "owner-45", "reason": "requested", "email": "contact@atelier.fr"})
    stale = asked_then("delete_my_data", "c'est quoi le cloud ?", "oui")
    tracker = make_tracker(
        "oui", "affirm", slots={"pending_offer": "delete_my_data"}, sender_id="owner-45", events=stale
    )
    messages, events = run(ActionAnswerOffer(), tracker)
    assert not any(event.get("name") == "action_delete_my_data" for event in events)
    messages, events = run(ActionDeleteMyData(), tracker)  # even if it ran, it asks again
    assert "Confirmez-vous" in messages[0]["text"] and len(storage.ticket_repository().for_sender("owner-45")) == 1


def test_no_to_the_confirmation_keeps_everything_and_resumes_the_diagnostic():
    slots = {"pending_offer": "restart", "sector": "crafts", "q_digital_plan": "idea"}
    messages, events = run(
        ActionAnswerOffer(), make_tracker("non", "deny", slots=slots, events=asked_then("restart", "non"))
    )
    assert "je ne touche à rien" in messages[0]["text"]
    assert events[-1]["name"] == "diagnostic_form" and "q_digital_plan" not in slot_events(events)


def test_yes_to_an_advisor_offer_opens_the_handover_form():
    _, events = run(ActionAnswerOffer(), make_tracker("oui", "affirm", slots={"pending_offer": "handoff:basic_level"}))
    assert {"event": "followup", "name": "handoff_form"}.items() <= events[-1].items()
    assert slot_events(events)["handoff_reason"] == "basic_level"


def test_two_fallbacks_in_a_row_offer_an_advisor():
    tracker = make_tracker("azerty", "nlu_fallback", slots={"failed_understandings": 1})
    count = asyncio.run(ValidateSlotMappings().extract_failed_understandings(CollectingDispatcher(), tracker, {}))
    assert count == {"failed_understandings": 2}
    messages, events = run(ActionNotUnderstood(), make_tracker("azerty", "nlu_fallback", slots=count))
    assert slot_events(events)["pending_offer"] == "handoff:not_understood"
    assert [(message["text"], message["buttons"]) for message in messages] == [
        (
            "Je n'arrive pas à vous comprendre, désolé. Voulez-vous qu'un conseiller vous recontacte ?",
            [{"title": "Oui", "payload": "/affirm"}, {"title": "Non merci", "payload": "/deny"}],
        )
    ]


def test_an_unsure_guess_is_offered_as_buttons_not_a_bare_rephrase():
    tracker = make_tracker("mon truc en ligne marche pas", "nlu_fallback")
    tracker.latest_message["intent_ranking"] = [
        {"name": "nlu_fallback", "confidence": 0.3},
        {"name": "need_visibility", "confidence": 0.26},
        {"name": "inform", "confidence": 0.2},
        {"name": "need_connectivity", "confidence": 0.17},
    ]
    messages, events = run(ActionNotUnderstood(), tracker)
    assert "Vous voulez parler de" in messages[0]["text"] and events == []
    assert [(b["title"], b["payload"]) for b in messages[0]["buttons"]] == [
        ("Être visible en ligne", "/need_visibility"),
        ("Connexion et équipement", "/need_connectivity"),
        ("Autre chose", "/help"),
    ]


def test_gibberish_gets_the_menu():
    tracker = make_tracker("blorp fjdksl", "nlu_fallback")
    tracker.latest_message["intent_ranking"] = [
        {"name": "nlu_fallback", "confidence": 0.3},
        {"name": "out_of_scope", "confidence": 0.2},
    ]
    messages, _ = run(ActionNotUnderstood(), tracker)
    assert "reformuler" in messages[0]["text"]
    assert [b["payload"] for b in messages[0]["buttons"]] == ["/start_diagnostic", "/request_advisor"]


# --- with a tracker recorded from a real conversation (a florist in Tours) ---------------


def test_recorded_conversation_scores_as_the_spec_says():
    tracker = recorded_tracker("completed_diagnostic.json")
    messages, events = run(ActionDiagnosticResults(), tracker)
    slots = slot_events(events)
    assert slots["maturity_level"] == "basic" and slots["score_overall"] == 21.43
    assert slots["dimension_scores"]["security"] == 8.33
    assert "21/100" in messages[0]["text"] and "Débutant" in messages[0]["text"]


def test_recorded_conversation_makes_a_ticket_with_its_transcript():
    tracker = recorded_tracker("completed_diagnostic.json")
    tracker.slots.update({"handoff_consent": True, "phone": "0247000000", "preferred_time": "En matinée"})
    run(ActionCreateHandoffTicket(), tracker)
    [ticket] = storage.ticket_repository().for_sender("recorded-florist")
    assert ticket.sector == "retail" and ticket.location == "Tours" and ticket.headcount == 2
    owner_lines = [line["text"] for line in ticket.transcript if line["from"] == "owner"]
    assert owner_lines[:3] == ["bonjour", "je veux faire le diagnostic", "je suis fleuriste"]


def test_correcting_after_the_end_reopens_the_last_question():
    tracker = recorded_tracker("completed_diagnostic.json")
    tracker.latest_message = {"text": "je me suis trompé", "intent": {"name": "correct_answer"}, "entities": []}
    _, events = run(ActionCorrectAnswer(), tracker)
    cleared = slot_events(events)
    assert cleared["q_automation"] is None and cleared["score_overall"] is None


def test_no_thats_not_it_after_the_result_goes_back_to_the_last_answer():
    slots = {**PROFILE, **all_answers(), "pending_offer": "more_recommendations"}
    events = [{"event": "slot", "name": question_id, "value": value} for question_id, value in all_answers().items()]
    messages, followed = run(ActionAnswerOffer(), make_tracker("non, c'est pas ça", "deny", slots=slots, events=events))
    assert followed[-1] == {"event": "followup", "timestamp": None, "name": "action_correct_answer"}
    messages, corrected = run(
        ActionCorrectAnswer(), make_tracker("non, c'est pas ça", "deny", slots=slots, events=events)
    )
    assert slot_events(corrected)["q_automation"] is None and slot_events(corrected)["score_overall"] is None


def test_the_buyers_guide_button_keeps_the_need_offer_for_the_other_buttons():
    tracker = make_tracker(
        '/affirm{"offer_choice": "guide"}',
        "affirm",
        entities=[{"entity": "offer_choice", "value": "guide"}],
        slots={"pending_offer": "need:need_online_sales:"},
    )
    messages, events = run(ActionAnswerOffer(), tracker)
    assert "Bien choisir" in messages[0]["text"]
    assert [button["title"] for button in messages[0]["buttons"]] == ["D'autres ressources", "Faire le diagnostic"]
    assert slot_events(events)["pending_offer"] == "need:need_online_sales:"  # stored as text, read back by Offer
