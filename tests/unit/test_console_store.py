"""Tickets' life with advisors, and advisor accounts, on SQLite and PostgreSQL."""

from datetime import timedelta

import pytest

from bot.adapters import advisors, storage


def new_ticket(url, sender="owner-1"):
    return storage.create_ticket({"sender_id": sender, "reason": "requested", "channel": "socketio"}, url)


def test_a_ticket_goes_live_back_to_the_queue_and_is_closed_with_every_step_recorded(database_url):
    ticket_id = new_ticket(database_url)
    assert storage.live_ticket_for("owner-1", database_url) is None
    storage.take(ticket_id, 1, "Équipe A", database_url)
    assert storage.live_ticket_for("owner-1", database_url).id == ticket_id
    storage.add_event(ticket_id, "owner_message", "owner", "bonjour", database_url)
    storage.hand_back(ticket_id, 1, "Équipe A", database_url)
    assert storage.get_ticket(ticket_id, database_url).status == storage.QUEUED
    storage.close(ticket_id, 1, "Équipe A", database_url)
    ticket = storage.ticket_with_events(ticket_id, database_url)
    assert ticket.status == storage.CLOSED
    assert [(e.kind, e.actor) for e in ticket.events] == [
        ("created", "assistant"),
        ("taken", "Équipe A"),
        ("owner_message", "owner"),
        ("handed_back", "Équipe A"),
        ("closed", "Équipe A"),
    ]


@pytest.mark.parametrize("action", [storage.take, storage.hand_back, storage.close])
def test_a_ticket_live_with_one_advisor_is_refused_to_another(database_url, action):
    ticket_id = new_ticket(database_url)
    storage.take(ticket_id, 1, "Équipe A", database_url)
    with pytest.raises(storage.TicketStateError, match="déjà prise en charge par Équipe A"):
        action(ticket_id, 2, "Équipe B", database_url)


def test_a_closed_ticket_cannot_be_taken_and_a_missing_one_is_named(database_url):
    ticket_id = new_ticket(database_url)
    storage.close(ticket_id, 1, "Équipe A", database_url)
    with pytest.raises(storage.TicketStateError, match="clôturée"):
        storage.take(ticket_id, 1, "Équipe A", database_url)
    with pytest.raises(storage.TicketStateError, match="n'existe pas"):
        storage.take(ticket_id + 100, "Équipe A", database_url)


def test_the_list_filters_by_status_newest_first(database_url):
    first, second, third = (new_ticket(database_url, f"owner-{n}") for n in range(3))
    storage.take(second, 1, "Équipe A", database_url)
    storage.close(third, 1, "Équipe A", database_url)
    ids = lambda status: [t.id for t in storage.list_tickets(status, database_url)]  # noqa: E731
    assert ids("open") == [second, first]
    assert ids("queued") == [first]
    assert ids("live") == [second]
    assert ids("closed") == [third]
    assert ids("all") == [third, second, first]


def test_login_needs_the_right_password_and_the_session_ends_at_logout(database_url):
    advisors.create_account("Conseil@Exemple.fr", "Équipe numérique", "un mot de passe long", database_url)
    assert advisors.log_in("conseil@exemple.fr", "mauvais mot de passe", 8, database_url) is None
    assert advisors.log_in("inconnu@exemple.fr", "un mot de passe long", 8, database_url) is None
    token = advisors.log_in("conseil@exemple.fr", "un mot de passe long", 8, database_url)
    assert advisors.advisor_for(token, database_url).name == "Équipe numérique"
    assert advisors.advisor_for(token + "x", database_url) is None
    advisors.log_out(token, database_url)
    assert advisors.advisor_for(token, database_url) is None


def test_a_session_expires_and_a_disabled_account_is_logged_out(database_url):
    advisors.create_account("conseil@exemple.fr", "Équipe numérique", "un mot de passe long", database_url)
    token = advisors.log_in("conseil@exemple.fr", "un mot de passe long", 8, database_url)
    later = storage.utcnow() + timedelta(hours=8, seconds=1)
    assert advisors.advisor_for(token, database_url, now=later) is None
    token = advisors.log_in("conseil@exemple.fr", "un mot de passe long", 8, database_url)
    advisors.deactivate_account("conseil@exemple.fr", database_url)
    assert advisors.advisor_for(token, database_url) is None
    assert advisors.log_in("conseil@exemple.fr", "un mot de passe long", 8, database_url) is None


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
        advisors.create_account(email, name, password, f"sqlite:///{tmp_path / 'db.sqlite'}")


def test_an_advisor_counts_as_online_only_while_the_console_is_in_use(database_url):
    advisors.create_account("conseil@exemple.fr", "Équipe numérique", "un mot de passe long", database_url)
    assert advisors.advisors_online(database_url) == 0
    advisors.log_in("conseil@exemple.fr", "un mot de passe long", 8, database_url)
    assert advisors.advisors_online(database_url) == 1
    assert advisors.advisors_online(database_url, now=storage.utcnow() + timedelta(minutes=5)) == 0


def test_a_database_from_the_previous_version_is_upgraded_and_keeps_its_tickets(database_url):
    # The first release's ticket table had no advisor column; create_all never alters a table.
    from datetime import datetime

    from sqlalchemy import MetaData, Table, create_engine

    legacy = MetaData()
    Table(
        "handoff_tickets",
        legacy,
        *[column._copy() for column in storage.Ticket.__table__.columns if column.name != "advisor"],
    )
    old = create_engine(database_url, future=True)
    legacy.create_all(old)
    with old.begin() as connection:
        connection.execute(
            legacy.tables["handoff_tickets"]
            .insert()
            .values(
                sender_id="owner-old",
                status="queued",
                reason="requested",
                created_at=datetime(2026, 10, 1),
                updated_at=datetime(2026, 10, 1),
            )
        )
    old.dispose()

    [ticket] = storage.list_tickets(url=database_url)
    assert ticket.sender_id == "owner-old" and ticket.advisor is None
    storage.take(ticket.id, 1, "Équipe A", database_url)
    assert storage.get_ticket(ticket.id, database_url).advisor == "Équipe A"
    assert storage.add_missing_columns(storage.engine(database_url)) == []  # nothing left to add
