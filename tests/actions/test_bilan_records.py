"""What the actions write down: each diagnostic's progress and bilan, the owner's progress from
one diagnostic to the next, the needs and objections raised, and the inbox of messages the
assistant did not understand. Against a real SQLite database (tests/actions/conftest.py)."""

import pytest
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select
from sqlalchemy.orm import Session

from actions.conversation import ActionNotUnderstood, ValidateSlotMappings
from actions.diagnostic_form import ActionRestartDiagnostic, AskSlot, ValidateDiagnosticForm
from actions.privacy import ActionDeleteMyData
from actions.results import ActionDiagnosticResults, ActionSendReport
from bot.adapters import storage
from bot.adapters.diagnostics import ConversationSignal, DiagnosticRun, diagnostic_repository
from bot.adapters.inbox import ANSWER_GIVEN_UP, CLARIFICATION_FAILED, FALLBACK, InboxMessage
from bot.diagnostic.questionnaire import DONT_KNOW, load_questionnaire
from bot.report.records import looks_like_bilan_id
from tests.actions.conftest import answering, make_tracker, run, slot_events
from tests.helpers import best_answers

Q = load_questionnaire()
PROFILE = {"sector": "crafts", "headcount": 3, "location": "Lille"}
ASK_FIRST_QUESTION = next(cls for cls in AskSlot.__subclasses__() if cls.slot == "q_digital_plan")
ASK_SECTOR = next(cls for cls in AskSlot.__subclasses__() if cls.slot == "sector")


def worst_answers():
    return {question_id: DONT_KNOW for question_id in Q.question_ids}


def runs():
    with Session(storage.engine()) as session:
        return list(session.scalars(select(DiagnosticRun).order_by(DiagnosticRun.id)))


def inbox_rows():
    with Session(storage.engine()) as session:
        return [(row.reason, row.question_id, row.text) for row in session.scalars(select(InboxMessage))]


def texts(messages):
    return "\n".join(message.get("text") or "" for message in messages)


def complete(sender_id="owner-1", answers=None, bilan_id=None, **slots):
    tracker = make_tracker(
        "mes résultats",
        "ask_results",
        slots={**PROFILE, **(answers or best_answers(Q)), "bilan_id": bilan_id, **slots},
        sender_id=sender_id,
    )
    return run(ActionDiagnosticResults(), tracker)


def test_the_first_question_starts_a_diagnostic_with_an_unguessable_bilan_id():
    _, events = run(ASK_SECTOR(), make_tracker(sender_id="owner-1", requested_slot="sector"))
    bilan_id = slot_events(events)["bilan_id"]
    assert looks_like_bilan_id(bilan_id)
    # The next question keeps it; the run follows where the owner is.
    _, events = run(
        ASK_FIRST_QUESTION(),
        make_tracker(sender_id="owner-1", slots={**PROFILE, "bilan_id": bilan_id}, requested_slot="q_digital_plan"),
    )
    assert "bilan_id" not in slot_events(events)
    [row] = runs()
    assert (row.bilan_id, row.last_question, row.answered, row.sector, row.completed_at) == (
        bilan_id,
        "q_digital_plan",
        0,
        "crafts",
        None,
    )
    assert diagnostic_repository().completed_bilan(bilan_id) is None  # no bilan before the end


def test_the_result_links_to_the_bilan_page_and_its_pdf(monkeypatch):
    monkeypatch.setenv("CONSOLE_PUBLIC_URL", "https://conseiller.cci-exemple.fr/")
    messages, events = complete(bilan_id="AAAAAAAAAAAAAAAAAAAAAA")
    assert "https://conseiller.cci-exemple.fr/bilan/AAAAAAAAAAAAAAAAAAAAAA\n" in texts(messages)
    assert "https://conseiller.cci-exemple.fr/bilan/AAAAAAAAAAAAAAAAAAAAAA.pdf" in texts(messages)
    stored = diagnostic_repository().completed_bilan("AAAAAAAAAAAAAAAAAAAAAA")
    assert stored.score_overall == pytest.approx(100.0) and stored.maturity_level == "leader"
    assert stored.dimension_scores == slot_events(events)["dimension_scores"]
    assert stored.recommendations == tuple(slot_events(events)["recommendations_shown"])
    assert stored.questionnaire_version == Q.version and stored.sector == "crafts" and stored.headcount == 3
    assert slot_events(events)["bilan_id"] == "AAAAAAAAAAAAAAAAAAAAAA"
    assert "Depuis votre diagnostic" not in texts(messages)  # a first diagnostic: no progress


def test_a_second_diagnostic_shows_the_change_since_the_first():
    complete(answers=worst_answers(), bilan_id="first-diagnostic-00000")
    now = storage.utcnow()
    earlier = now.replace(year=now.year - 1, month=3, day=12)
    with Session(storage.engine()) as session:  # as if it had been done in March last year
        session.get(DiagnosticRun, 1).completed_at = earlier
        session.get(DiagnosticRun, 1).started_at = earlier
        session.commit()
    better = {
        **worst_answers(),
        "q_backup": "automatic",
        "q_security_measures": ["antivirus", "auto_updates", "two_factor"],
    }
    messages, _ = complete(answers=better, bilan_id="second-diagnostic-0000")
    # security: (10 + 5) / 2 × 10 = 75 points more; overall 75 / 7 = 10.71 → 11
    assert (
        f"Depuis votre diagnostic du 12 mars {earlier.year} : +75 points en données et cybersécurité (+11 au total)."
        in texts(messages)
    )


def test_another_conversation_is_never_compared_even_with_the_same_email():
    """An e-mail an owner types proves nothing: comparing by it would show another owner's scores."""
    complete(
        sender_id="widget-conversation",
        answers=worst_answers(),
        bilan_id="first-diagnostic-00000",
        email="gerante@fleurs-exemple.fr",
        handoff_consent=True,
    )
    messages, _ = complete(
        sender_id="whatsapp:33612345678",
        email="gerante@fleurs-exemple.fr",
        handoff_consent=True,
        bilan_id="second-diagnostic-0000",
    )
    assert "Depuis votre diagnostic" not in texts(messages)


def test_asking_for_the_report_sends_the_bilan_link_once_there_is_one(monkeypatch):
    monkeypatch.setenv("CONSOLE_PUBLIC_URL", "https://conseiller.exemple.fr")
    complete(bilan_id="report-diagnostic-0000")
    tracker = make_tracker(
        "envoyez moi le rapport en pdf",
        "request_report",
        slots={**PROFILE, **best_answers(Q), "bilan_id": "report-diagnostic-0000"},
    )
    messages, _ = run(ActionSendReport(), tracker)
    assert "https://conseiller.exemple.fr/bilan/report-diagnostic-0000.pdf" in texts(messages)


def test_a_restart_ends_the_unfinished_diagnostic_and_the_next_one_gets_a_new_bilan():
    _, events = run(ASK_SECTOR(), make_tracker(sender_id="owner-1", requested_slot="sector"))
    bilan_id = slot_events(events)["bilan_id"]
    slots = {**PROFILE, "q_digital_plan": "none", "bilan_id": bilan_id, "pending_offer": "restart"}
    _, events = run(ActionRestartDiagnostic(), make_tracker("oui", "affirm", slots=slots, sender_id="owner-1"))
    assert slot_events(events)["bilan_id"] is None
    [row] = runs()
    assert row.restarted_at is not None and row.completed_at is None


def test_delete_my_data_erases_the_bilans_and_what_was_noted():
    complete(sender_id="owner-44", bilan_id="erased-diagnostic-0000")
    run(ActionNotUnderstood(), make_tracker("bla bla zorglub", "nlu_fallback", sender_id="owner-44"))
    confirmed = [
        {"event": "user", "text": "…"},
        {"event": "slot", "name": "pending_offer", "value": "delete_my_data"},
        {"event": "user", "text": "oui"},
    ]
    tracker = make_tracker(
        "oui", "affirm", slots={"pending_offer": "delete_my_data"}, sender_id="owner-44", events=confirmed
    )
    run(ActionDeleteMyData(), tracker)
    assert diagnostic_repository().completed_bilan("erased-diagnostic-0000") is None
    assert runs() == [] and inbox_rows() == []


def test_a_message_not_understood_lands_in_the_inbox_without_its_contact_details():
    run(ActionNotUnderstood(), make_tracker("ecrivez moi a jean.dupont@exemple.fr pour le truc", "nlu_fallback"))
    [(reason, question, text)] = inbox_rows()
    assert (reason, question) == (FALLBACK, None)
    assert "jean.dupont" not in text and "exemple.fr" not in text and text.startswith("ecrivez moi a ")


def user(text):
    return {"event": "user", "text": text}


def slot(name, value):
    return {"event": "slot", "name": name, "value": value}


@pytest.mark.parametrize(
    "earlier, expected",
    [
        (  # a digression that got its answer is not a try
            [
                user("bof"),
                slot("question_attempts", 1),
                user("pourquoi cette question"),
                user("euh truc machin"),
                slot("question_attempts", 2),
            ],
            ["bof", "euh truc machin", "zorglub"],
        ),
        (  # the answer to the clarifying question is in the inbox already, as such
            [
                user("internet normal"),
                slot("question_attempts", 1),
                slot("pending_clarification", "q_connection"),
                slot("pending_clarification", None),
                user("ben le truc"),
                slot("question_attempts", 2),
            ],
            ["internet normal", "zorglub"],
        ),
    ],
)
def test_an_answer_given_up_after_three_tries_puts_those_tries_in_the_inbox(earlier, expected):
    tracker = answering("q_connection", "zorglub", intent="nlu_fallback", slots={"question_attempts": 2})
    tracker.events[:] = [slot("requested_slot", "q_connection"), *earlier, user("zorglub")]
    result = ValidateDiagnosticForm()._validate("q_connection", CollectingDispatcher(), tracker)
    assert result["q_connection"] == DONT_KNOW
    assert inbox_rows() == [(ANSWER_GIVEN_UP, "q_connection", text) for text in expected]


def test_an_unread_answer_to_a_clarifying_question_lands_in_the_inbox():
    events = [
        {"event": "user", "text": "on a internet"},
        {"event": "slot", "name": "pending_clarification", "value": "q_connection"},
        {"event": "slot", "name": "pending_clarification", "value": None},
        {"event": "user", "text": "zorglub"},
    ]
    tracker = answering("q_connection", "zorglub", intent="nlu_fallback", slots={"question_attempts": 1})
    tracker.events[:] = events
    result = ValidateDiagnosticForm()._validate("q_connection", CollectingDispatcher(), tracker)
    assert result["q_connection"] is None
    assert inbox_rows() == [(CLARIFICATION_FAILED, "q_connection", "zorglub")]


@pytest.mark.parametrize(
    "intent, selector, expected",
    [
        ("need_cybersecurity", None, [("need", "need_cybersecurity")]),
        ("objection", {"objection": {"response": {"utter_action": "utter_objection/cost"}}}, [("objection", "cost")]),
        ("greet", None, []),
    ],
)
def test_needs_and_objections_are_noted_with_the_profile_known(intent, selector, expected):
    tracker = make_tracker("…", intent, slots=PROFILE, response_selector=selector)
    run(ValidateSlotMappings(), tracker)
    with Session(storage.engine()) as session:
        rows = [(row.kind, row.value, row.sector, row.headcount) for row in session.scalars(select(ConversationSignal))]
    assert rows == [(kind, value, "crafts", 3) for kind, value in expected]


def signals():
    with Session(storage.engine()) as session:
        return [(row.kind, row.value) for row in session.scalars(select(ConversationSignal))]


def test_an_answer_that_reads_like_a_need_is_not_counted_as_one():
    tracker = answering("q_backup", "on a aucune sauvegarde", intent="need_cybersecurity")
    run(ValidateSlotMappings(), tracker)
    result = ValidateDiagnosticForm()._validate("q_backup", CollectingDispatcher(), tracker)
    assert result["q_backup"] == "none" and signals() == []


def test_a_need_raised_mid_diagnostic_is_counted_once():
    tracker = answering("q_backup", "au fait il me faudrait des subventions pour mon site", intent="need_funding")
    run(ValidateSlotMappings(), tracker)
    result = ValidateDiagnosticForm()._validate("q_backup", CollectingDispatcher(), tracker)
    assert result["q_backup"] is None and signals() == [("need", "need_funding")]


def test_a_database_fault_while_noting_never_costs_the_owner_a_reply(monkeypatch):
    """Nothing listens on this port: every write of the notes fails; the conversation goes on."""
    monkeypatch.setenv("CONSEILLER_DATABASE_URL", "postgresql://conseiller@127.0.0.1:9/absent")
    messages, events = run(ASK_FIRST_QUESTION(), make_tracker(slots=PROFILE, requested_slot="q_digital_plan"))
    assert Q.question("q_digital_plan").text in texts(messages) and looks_like_bilan_id(slot_events(events)["bilan_id"])
    messages, events = complete()
    assert "Voici votre résultat : 100/100" in texts(messages) and "/bilan/" not in texts(messages)
    assert slot_events(events)["maturity_level"] == "leader"
    messages, _ = run(ActionNotUnderstood(), make_tracker("zorglub", "nlu_fallback"))
    assert messages
    _, events = run(ValidateSlotMappings(), make_tracker("…", "need_funding"))
    assert slot_events(events) == {"failed_understandings": 0}
