"""The diagnostic form's actions, with trackers as Rasa sends them."""

import pytest

from actions.diagnostic_form import (
    ActionCorrectAnswer,
    ActionPauseDiagnostic,
    ActionRestartDiagnostic,
    AskSlot_q_cloud_services,
    AskSlot_sector,
    ValidateDiagnosticForm,
)
from bot.diagnostic.questionnaire import load_questionnaire
from tests.actions.conftest import answering, make_tracker, run, slot_events


@pytest.mark.parametrize(
    "slot, text, intent, entities, expected",
    [
        ("q_connection", "on a la fibre", "need_connectivity", [], "fast"),
        ("q_online_presence", "facebook et un site", "need_visibility", [], ["social_network", "website"]),
        ("q_backup", "je sais pas", "dont_know", [], "dont_know"),
        ("sector", "boulangerie", "inform", [{"entity": "sector", "value": "crafts"}], "crafts"),
        ("headcount", "moi et deux salariés", "inform", [], 3),
        ("location", "à Lille", "inform", [], "Lille"),
    ],
)
def test_an_understood_answer_is_stored_whatever_the_intent(slot, text, intent, entities, expected):
    messages, events = run(ValidateDiagnosticForm(), answering(slot, text, intent, entities))
    assert slot_events(events)[slot] == expected


def test_why_is_explained_and_nothing_is_stored():
    messages, events = run(ValidateDiagnosticForm(), answering("q_backup", "pourquoi vous demandez ça", "ask_why"))
    assert slot_events(events)["q_backup"] is None
    assert messages[0]["text"] == load_questionnaire().question("q_backup").why


def test_an_faq_mid_form_gets_its_answer_then_the_question_comes_back():
    selector = {"faq": {"response": {"utter_action": "utter_faq/what_is_cloud"}}}
    messages, events = run(
        ValidateDiagnosticForm(),
        answering("q_cloud_services", "c'est quoi le cloud", "faq", response_selector=selector),
    )
    assert messages[0]["response"] == "utter_faq/what_is_cloud"
    assert slot_events(events)["q_cloud_services"] is None


def test_an_ambiguous_answer_gets_one_clarifying_question_with_the_candidates():
    messages, events = run(ValidateDiagnosticForm(), answering("q_invoicing", "papier ou excel selon les jours"))
    assert slot_events(events) == {"q_invoicing": None, "pending_clarification": "q_invoicing", "question_attempts": 1}
    assert [button["title"] for button in messages[0]["buttons"]] == ["À la main, sur papier", "Sur Excel ou Word"]


def test_two_unreadable_answers_in_a_row_point_to_a_human():
    messages, events = run(
        ValidateDiagnosticForm(),
        answering("q_reviews", "blablabla", "nlu_fallback", slots={"failed_understandings": 1}),
    )
    assert slot_events(events)["failed_understandings"] == 2
    assert [message["text"] for message in messages] == [
        "Je n'arrive pas à comprendre votre réponse, désolé. Choisissez une réponse avec les boutons, répondez "
        "« je ne sais pas », ou écrivez « conseiller » pour être mis en relation avec une personne."
    ]


def test_saying_no_to_the_benefit_question_answers_the_usefulness_objection():
    messages, events = run(ValidateDiagnosticForm(), answering("q_digital_benefit", "non", "deny"))
    assert slot_events(events)["q_digital_benefit"] == "no"
    assert [message.get("response") for message in messages][-1] == "utter_objection/usefulness"


def test_questions_come_with_buttons_and_multi_choice_lists_numbered_options():
    messages, _ = run(AskSlot_q_cloud_services(), make_tracker(requested_slot="q_cloud_services"))
    assert messages[0]["text"].splitlines() == [
        "Question 4/15 · Équipement et connexion",
        "Utilisez-vous ces outils : une messagerie professionnelle, un stockage partagé en ligne, des logiciels en "
        "ligne ? (plusieurs réponses possibles)",
        "1. Messagerie pro (adresse à votre nom)",
        "2. Stockage en ligne (Drive, Dropbox…)",
        "3. Logiciels en ligne (compta, agenda…)",
        "Plusieurs réponses possibles : cliquez sur une réponse ou écrivez par exemple « 1 et 3 ».",
    ]
    assert [button["title"] for button in messages[0]["buttons"]] == [
        "Messagerie pro (adresse à votre nom)",
        "Stockage en ligne (Drive, Dropbox…)",
        "Logiciels en ligne (compta, agenda…)",
        "Aucun de ceux-là",
        "Je ne sais pas",
    ]
    messages, _ = run(AskSlot_sector(), make_tracker(requested_slot="sector"))
    assert len(messages[0]["buttons"]) == 10


def test_after_a_clarifying_question_the_whole_question_is_not_repeated():
    messages, events = run(
        AskSlot_q_cloud_services(), make_tracker(slots={"pending_clarification": "q_cloud_services"})
    )
    assert messages == [] and slot_events(events) == {"pending_clarification": None}


def test_stop_leaves_the_form_and_keeps_the_answers():
    tracker = make_tracker(
        "stop", "stop", slots={"sector": "crafts", "q_digital_plan": "idea"}, active_loop="diagnostic_form"
    )
    messages, events = run(ActionPauseDiagnostic(), tracker)
    assert events[0] == {"event": "active_loop", "name": None, "timestamp": None}
    assert "q_digital_plan" not in slot_events(events)
    assert messages[0]["text"] == (
        "D'accord, on s'arrête là. Vos réponses sont enregistrées (1 sur 15) : écrivez « reprendre le diagnostic » "
        "quand vous voulez continuer."
    )


def test_restart_asks_before_erasing_answers_then_clears_answers_and_results():
    slots = {"sector": "crafts", "q_digital_plan": "idea", "score_overall": 40.0}
    messages, events = run(
        ActionRestartDiagnostic(), make_tracker("on recommence", "restart", slots=slots, active_loop="diagnostic_form")
    )
    assert messages[0]["text"] == (
        "Voulez-vous vraiment effacer vos 2 réponses et recommencer le diagnostic depuis le début ?"
    )
    assert slot_events(events)["pending_offer"] == "restart"
    assert "sector" not in slot_events(events)
    _, events = run(
        ActionRestartDiagnostic(), make_tracker("oui", "affirm", slots={**slots, "pending_offer": "restart"})
    )
    cleared = slot_events(events)
    assert cleared["sector"] is None and cleared["q_digital_plan"] is None and cleared["score_overall"] is None


def test_correction_names_the_question_or_takes_the_last_answer():
    events = [
        {"event": "slot", "name": "q_connection", "value": "fast"},
        {"event": "slot", "name": "q_cloud_services", "value": []},
    ]
    slots = {"q_connection": "fast", "q_cloud_services": []}
    _, result = run(
        ActionCorrectAnswer(), make_tracker("je me suis trompé", "correct_answer", slots=slots, events=events)
    )
    assert slot_events(result)["q_cloud_services"] is None
    _, result = run(
        ActionCorrectAnswer(),
        make_tracker("je veux changer ma réponse sur la connexion", "correct_answer", slots=slots, events=events),
    )
    assert slot_events(result)["q_connection"] is None and "q_cloud_services" not in slot_events(result)


def test_a_typed_answer_is_read_back_and_a_clicked_one_is_not():
    messages, events = run(
        ValidateDiagnosticForm(),
        answering("q_customer_file", "j'ai un logiciel pour mes clients, il n'est relié à rien"),
    )
    assert slot_events(events)["q_customer_file"] == "crm"
    assert messages[0]["text"] == "Noté : un logiciel clients, non relié à vos autres outils."
    messages, events = run(ValidateDiagnosticForm(), answering("q_customer_file", "Un logiciel clients (CRM)"))
    assert slot_events(events)["q_customer_file"] == "crm" and messages == []


def test_the_third_unread_answer_in_a_row_records_dont_know_and_moves_on():
    messages, events = run(
        ValidateDiagnosticForm(), answering("q_reviews", "blablabla", "nlu_fallback", slots={"question_attempts": 1})
    )
    assert slot_events(events)["q_reviews"] is None and slot_events(events)["question_attempts"] == 2
    messages, events = run(
        ValidateDiagnosticForm(), answering("q_reviews", "blablabla", "nlu_fallback", slots={"question_attempts": 2})
    )
    assert slot_events(events)["q_reviews"] == "dont_know" and slot_events(events)["question_attempts"] == 0
    assert messages[0]["text"] == (
        "Je n'arrive pas à lire votre réponse : je note « je ne sais pas » pour cette question et nous continuons. "
        "Pour la changer plus tard, écrivez « je me suis trompé » en citant son sujet."
    )


def test_a_regretful_answer_is_an_answer_not_a_correction():
    earlier = [{"event": "slot", "name": "q_online_sales", "value": "no"}]
    tracker = answering(
        "q_reviews",
        "malheureusement on ne répond jamais aux avis, je regrette",
        "correct_answer",
        slots={"q_online_sales": "no"},
    )
    tracker.events[:0] = earlier
    messages, events = run(ValidateDiagnosticForm(), tracker)
    assert slot_events(events)["q_reviews"] == "never"
    assert "q_online_sales" not in slot_events(events)


def test_correction_language_mid_question_goes_back_to_the_answer_named():
    earlier = [
        {"event": "slot", "name": "q_connection", "value": "fast"},
        {"event": "slot", "name": "q_online_sales", "value": "no"},
    ]
    tracker = answering(
        "q_reviews",
        "je me suis trompé pour la connexion",
        "correct_answer",
        slots={"q_connection": "fast", "q_online_sales": "no"},
    )
    tracker.events[:0] = earlier
    messages, events = run(ValidateDiagnosticForm(), tracker)
    assert slot_events(events)["q_connection"] is None and slot_events(events)["q_reviews"] is None
    assert "q_online_sales" not in slot_events(events)
    assert "reprenons" in messages[0]["text"]
