"""The diagnostics' store (bilans, progress, dashboard rows) on SQLite and on real PostgreSQL."""

from datetime import timedelta

from sqlalchemy import update
from sqlalchemy.orm import Session

from bot.adapters.diagnostics import DiagnosticRun, SqlDiagnosticRepository
from bot.adapters.storage import engine, utcnow

SCORES = {"strategy": 30.0, "security": 50.0}


def complete(repository, bilan_id, sender_id, overall=40.0, scores=SCORES):
    return repository.complete(
        bilan_id, sender_id, "rest", "2026.1", "crafts", 3, {"q_backup": "none"}, overall, "intermediate", scores, ["a"]
    )


def age(url, bilan_id, days):
    """Moves a diagnostic `days` into the past, as if it had been done then."""
    past = utcnow() - timedelta(days=days)
    with Session(engine(url)) as session:
        session.execute(
            update(DiagnosticRun)
            .where(DiagnosticRun.bilan_id == bilan_id)
            .values(started_at=past, updated_at=past, completed_at=past)
        )
        session.commit()


def test_an_unfinished_diagnostic_has_no_bilan_and_a_finished_one_keeps_what_was_shown(database_url):
    repository = SqlDiagnosticRepository(database_url)
    repository.question_asked("b" * 22, "owner-1", "q_connection", 3, "socketio", "2026.1", "crafts", 3)
    assert repository.completed_bilan("b" * 22) is None
    record = complete(repository, "b" * 22, "owner-1")
    assert repository.completed_bilan("b" * 22) == record
    assert (record.score_overall, record.dimension_scores, record.recommendations) == (40.0, SCORES, ("a",))
    assert (record.channel, record.sector, record.headcount, record.answered) == ("socketio", "crafts", 3, 1)
    # After a correction the scores follow the answers; the bilan keeps its address and date.
    again = complete(repository, "b" * 22, "owner-1", overall=45.0)
    assert again.score_overall == 45.0 and again.completed_at == record.completed_at


def test_the_previous_diagnostic_is_the_same_owners_latest_completed_one(database_url):
    repository = SqlDiagnosticRepository(database_url)
    complete(repository, "first" + "x" * 17, "owner-1", overall=20.0)
    age(database_url, "first" + "x" * 17, 200)
    complete(repository, "second" + "x" * 16, "owner-1", overall=30.0)
    age(database_url, "second" + "x" * 16, 100)
    complete(repository, "other" + "x" * 17, "owner-2", overall=90.0)
    unfinished = "unfinished" + "x" * 12
    repository.question_asked(unfinished, "owner-1", "q_backup", 5, None, "2026.1", None, None)
    third = complete(repository, "third" + "x" * 17, "owner-1", overall=50.0)
    assert repository.previous_completed(third).score_overall == 30.0
    assert repository.previous_completed(repository.completed_bilan("first" + "x" * 17)) is None


def test_a_restart_ends_only_an_unfinished_diagnostic(database_url):
    repository = SqlDiagnosticRepository(database_url)
    repository.question_asked("u" * 22, "owner-1", "q_backup", 5, None, "2026.1", None, None)
    complete(repository, "c" * 22, "owner-1")
    repository.restarted("u" * 22)
    repository.restarted("c" * 22)
    with Session(engine(database_url)) as session:
        ended = {run.bilan_id: run.restarted_at is not None for run in session.query(DiagnosticRun)}
    assert ended == {"u" * 22: True, "c" * 22: False}


def test_erasure_and_retention_remove_diagnostics_and_signals(database_url):
    repository = SqlDiagnosticRepository(database_url)
    complete(repository, "kept" + "x" * 18, "owner-1")
    complete(repository, "erased" + "x" * 16, "owner-2")
    repository.record_signal("owner-2", "need", "need_funding", "rest", None, None)
    complete(repository, "old" + "x" * 19, "owner-3")
    age(database_url, "old" + "x" * 19, 400)
    assert repository.delete_for_sender("owner-2") == 1
    assert repository.purge_older_than(365) == 1
    assert repository.completed_bilan("kept" + "x" * 18) is not None
    assert (
        repository.completed_bilan("erased" + "x" * 16) is None and repository.completed_bilan("old" + "x" * 19) is None
    )
