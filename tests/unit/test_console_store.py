"""Tickets' life with advisors, and advisor accounts, on SQLite and PostgreSQL."""

from datetime import datetime, timedelta

import pytest

from bot.adapters import advisors, migrations, storage
from tests.helpers import legacy_ticket, new_ticket


def test_a_ticket_goes_live_back_to_the_queue_and_is_closed_with_every_step_recorded(database_url):
    tickets = storage.ticket_repository(database_url)
    ticket_id = new_ticket(database_url)
    assert tickets.live_for("owner-1") is None
    tickets.take(ticket_id, 1, "Équipe A")
    assert tickets.live_for("owner-1").id == ticket_id
    tickets.add_event(ticket_id, "owner_message", "owner", "bonjour")
    tickets.hand_back(ticket_id, 1, "Équipe A")
    assert tickets.get(ticket_id).status == storage.QUEUED
    tickets.close(ticket_id, 1, "Équipe A")
    ticket = tickets.get_with_events(ticket_id)
    assert ticket.status == storage.CLOSED
    assert [(e.kind, e.actor) for e in ticket.events] == [
        ("created", "assistant"),
        ("taken", "Équipe A"),
        ("owner_message", "owner"),
        ("handed_back", "Équipe A"),
        ("closed", "Équipe A"),
    ]


@pytest.mark.parametrize("action", ["take", "hand_back", "close"])
def test_a_ticket_live_with_one_advisor_is_refused_to_another(database_url, action):
    tickets = storage.ticket_repository(database_url)
    ticket_id = new_ticket(database_url)
    tickets.take(ticket_id, 1, "Équipe A")
    with pytest.raises(storage.TicketStateError, match="déjà prise en charge par Équipe A"):
        getattr(tickets, action)(ticket_id, 2, "Équipe B")


def test_a_closed_ticket_cannot_be_taken_and_a_missing_one_is_named(database_url):
    tickets = storage.ticket_repository(database_url)
    ticket_id = new_ticket(database_url)
    tickets.close(ticket_id, 1, "Équipe A")
    with pytest.raises(storage.TicketStateError, match="clôturée"):
        tickets.take(ticket_id, 1, "Équipe A")
    with pytest.raises(storage.TicketStateError, match="n'existe pas"):
        tickets.take(ticket_id + 100, 1, "Équipe A")


def test_the_list_filters_by_status_newest_first(database_url):
    tickets = storage.ticket_repository(database_url)
    first, second, third = (new_ticket(database_url, f"owner-{n}") for n in range(3))
    tickets.take(second, 1, "Équipe A")
    tickets.close(third, 1, "Équipe A")
    ids = lambda status: [t.id for t in tickets.by_status(status)]  # noqa: E731
    assert ids("open") == [second, first]
    assert ids("queued") == [first]
    assert ids("live") == [second]
    assert ids("closed") == [third]
    assert ids("all") == [third, second, first]


def test_login_needs_the_right_password_and_the_session_ends_at_logout(database_url):
    accounts = advisors.advisor_repository(database_url)
    accounts.create_account("Conseil@Exemple.fr", "Équipe numérique", "un mot de passe long")
    assert accounts.log_in("conseil@exemple.fr", "mauvais mot de passe", 8) is None
    assert accounts.log_in("inconnu@exemple.fr", "un mot de passe long", 8) is None
    token = accounts.log_in("conseil@exemple.fr", "un mot de passe long", 8)
    assert accounts.advisor_for(token).name == "Équipe numérique"
    assert accounts.advisor_for(token + "x") is None
    accounts.log_out(token)
    assert accounts.advisor_for(token) is None


def test_a_session_expires_and_a_disabled_account_is_logged_out(database_url):
    accounts = advisors.advisor_repository(database_url)
    accounts.create_account("conseil@exemple.fr", "Équipe numérique", "un mot de passe long")
    token = accounts.log_in("conseil@exemple.fr", "un mot de passe long", 8)
    later = storage.utcnow() + timedelta(hours=8, seconds=1)
    assert accounts.advisor_for(token, now=later) is None
    token = accounts.log_in("conseil@exemple.fr", "un mot de passe long", 8)
    accounts.deactivate_account("conseil@exemple.fr")
    assert accounts.advisor_for(token) is None
    assert accounts.log_in("conseil@exemple.fr", "un mot de passe long", 8) is None


def test_passwords_are_stored_hashed_and_salted():
    first, second = advisors.hash_password("un mot de passe long"), advisors.hash_password("un mot de passe long")
    assert "un mot de passe long" not in first and first != second
    assert advisors.password_matches("un mot de passe long", first)
    assert not advisors.password_matches("un mot de passe lonG", first)


@pytest.mark.parametrize(
    "email, name, password, message",
    [
        ("pas-une-adresse", "Équipe", "un mot de passe long", "n'est pas une adresse"),
        ("conseil@exemple.fr", " ", "un mot de passe long", "nom affiché"),
        ("conseil@exemple.fr", "Équipe", "court", "au moins 10 caractères"),
    ],
)
def test_account_creation_refuses_bad_input_in_french(email, name, password, message, tmp_path):
    with pytest.raises(advisors.AccountError, match=message):
        advisors.advisor_repository(f"sqlite:///{tmp_path / 'db.sqlite'}").create_account(email, name, password)


def test_an_advisor_counts_as_online_only_while_the_console_is_in_use(database_url):
    accounts = advisors.advisor_repository(database_url)
    accounts.create_account("conseil@exemple.fr", "Équipe numérique", "un mot de passe long")
    assert accounts.online_count() == 0
    accounts.log_in("conseil@exemple.fr", "un mot de passe long", 8)
    assert accounts.online_count() == 1
    assert accounts.online_count(now=storage.utcnow() + timedelta(minutes=5)) == 0


def test_a_database_from_the_previous_version_is_upgraded_and_keeps_its_tickets(database_url):
    # The first release's ticket table had no advisor column; create_all never altered a table:
    # the first migration adds it (tests/unit/test_migrations.py tests the migrations themselves).
    legacy_ticket(
        database_url,
        "advisor",
        sender_id="owner-old",
        status="queued",
        reason="requested",
        created_at=datetime(2026, 10, 1),
        updated_at=datetime(2026, 10, 1),
    )

    tickets = storage.ticket_repository(database_url)
    [ticket] = tickets.by_status()
    assert ticket.sender_id == "owner-old" and ticket.advisor is None
    tickets.take(ticket.id, 1, "Équipe A")
    assert tickets.get(ticket.id).advisor == "Équipe A"
    with storage.engine(database_url).connect() as connection:
        assert migrations.current_revisions(connection) == migrations.heads()
