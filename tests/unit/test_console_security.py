"""The advisor console's defences, on SQLite and PostgreSQL: the console's routes served by a
real Sanic server (the same blueprint the Rasa server mounts), the accounts and the login
throttle in a real database.

The end-to-end side (the Rasa server's socket.io namespace, other processes) is in
tests/e2e/test_console_security.py.
"""

import hashlib
import json
import threading
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.adapters import advisors, storage
from tests.helpers import CONSOLE, PASSWORD, call, legacy_ticket, log_in, new_ticket

# 1. CSRF ---------------------------------------------------------------------------------


def test_a_cross_site_form_or_script_cannot_log_in_take_or_write(console, database_url):
    accounts = advisors.advisor_repository(database_url)
    tickets = storage.ticket_repository(database_url)
    accounts.create_account("conseil@exemple.fr", "Équipe numérique", PASSWORD)
    credentials = {"email": "conseil@exemple.fr", "password": PASSWORD}
    # A form of another site (even a sibling subdomain, same-site for the cookie) sends neither
    # the console's header nor the console's origin.
    form = urllib.request.Request(
        console + "/console/api/login",
        data=b"email=conseil%40exemple.fr&password=x",
        headers={"Content-Type": "application/x-www-form-urlencoded", "Origin": "https://autre.exemple.fr"},
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(form, timeout=20)
    assert refused.value.code == 403 and "ne vient pas de la console" in json.loads(refused.value.read())["error"]
    assert call(console, "/console/api/login", credentials).status == 403  # no header
    refused = call(console, "/console/api/login", credentials, {**CONSOLE, "Origin": "https://autre.exemple.fr"})
    assert refused.status == 403 and "Set-Cookie" not in refused.headers
    assert call(console, "/console/api/login", credentials, {**CONSOLE, "Origin": "null"}).status == 403

    cookie = log_in(console, "conseil@exemple.fr")  # from the console's own page
    ticket_id = new_ticket(database_url)
    for path, body in [
        (f"/tickets/{ticket_id}/take", {}),
        (f"/tickets/{ticket_id}/close", {}),
        (f"/tickets/{ticket_id}/message", {"text": "Bonjour"}),
        ("/logout", {}),
    ]:
        assert call(console, "/console/api" + path, body, cookie=cookie).status == 403, path
        assert (
            call(
                console,
                "/console/api" + path,
                body,
                {**CONSOLE, "Origin": "http://sous.domaine.exemple"},
                cookie=cookie,
            ).status
            == 403
        ), path
    assert tickets.get(ticket_id).status == storage.QUEUED  # nothing happened
    assert call(console, "/console/api/me", cookie=cookie).status == 200  # not logged out either

    # The console itself (header, own origin or none: a same-origin GET sends none) goes through.
    assert (
        call(
            console, f"/console/api/tickets/{ticket_id}/take", {}, {**CONSOLE, "Origin": console}, cookie=cookie
        ).status
        == 200
    )
    assert call(console, f"/console/api/tickets/{ticket_id}/close", {}, CONSOLE, cookie=cookie).status == 200
    assert call(console, "/console/api/logout", {}, {**CONSOLE, "Origin": console}, cookie=cookie).status == 200
    assert call(console, "/console/api/me", cookie=cookie).status == 401


# 3. Secure cookie and origin behind a trusted proxy ------------------------------------------


def test_behind_a_trusted_proxy_the_cookie_is_secure_and_the_public_origin_is_the_console(
    console, database_url, monkeypatch
):
    accounts = advisors.advisor_repository(database_url)
    accounts.create_account("conseil@exemple.fr", "Équipe numérique", PASSWORD)
    proxied = {
        "X-Forwarded-Proto": "https",
        "X-Forwarded-Host": "conseil.cci-exemple.fr",
        "X-Forwarded-For": "203.0.113.9",
    }
    credentials = {"email": "conseil@exemple.fr", "password": PASSWORD}
    # Without TRUSTED_PROXY anyone can send these headers: they change nothing.
    answer = call(console, "/console/api/login", credentials, {**CONSOLE, **proxied})
    assert answer.status == 200 and "secure" not in answer.cookie.lower()
    assert (
        call(
            console,
            "/console/api/login",
            credentials,
            {**CONSOLE, **proxied, "Origin": "https://conseil.cci-exemple.fr"},
        ).status
        == 403
    )

    monkeypatch.setenv("TRUSTED_PROXY", "1")
    answer = call(
        console, "/console/api/login", credentials, {**CONSOLE, **proxied, "Origin": "https://conseil.cci-exemple.fr"}
    )
    assert answer.status == 200
    assert "secure" in [part.strip().lower() for part in answer.cookie.split(";")]
    assert "httponly" in answer.cookie.lower() and "samesite=strict" in answer.cookie.lower()
    # The proxy's public origin is the only one accepted, the server's inner one no longer.
    assert call(console, "/console/api/login", credentials, {**CONSOLE, **proxied, "Origin": console}).status == 403


# 4. A new password or a deactivation ends the sessions -----------------------------------------


def test_a_password_reset_and_a_deactivation_end_the_sessions_already_open(console, database_url):
    accounts = advisors.advisor_repository(database_url)
    tickets = storage.ticket_repository(database_url)
    accounts.create_account("conseil@exemple.fr", "Équipe numérique", PASSWORD)
    stolen = log_in(console, "conseil@exemple.fr")
    assert call(console, "/console/api/me", cookie=stolen).status == 200
    accounts.create_account("conseil@exemple.fr", "Équipe numérique", "un tout nouveau mot de passe")
    refused = call(console, "/console/api/me", cookie=stolen)
    assert refused.status == 401 and "connectez-vous" in refused.body["error"]
    ticket_id = new_ticket(database_url)
    assert call(console, f"/console/api/tickets/{ticket_id}/take", {}, CONSOLE, cookie=stolen).status == 401

    current = log_in(console, "conseil@exemple.fr", "un tout nouveau mot de passe")
    assert call(console, "/console/api/me", cookie=current).status == 200
    accounts.deactivate_account("conseil@exemple.fr")
    assert call(console, "/console/api/me", cookie=current).status == 401
    assert (
        call(
            console,
            "/console/api/login",
            {"email": "conseil@exemple.fr", "password": "un tout nouveau mot de passe"},
            CONSOLE,
        ).status
        == 401
    )
    assert tickets.get(ticket_id).status == storage.QUEUED


# 5. Accounts, not display names, hold tickets --------------------------------------------------


def test_two_advisors_showing_the_same_name_cannot_act_on_each_others_tickets(console, database_url):
    accounts = advisors.advisor_repository(database_url)
    tickets = storage.ticket_repository(database_url)
    accounts.create_account("alice@cci-exemple.fr", "Équipe numérique", PASSWORD)
    accounts.create_account("bruno@cci-exemple.fr", "Équipe numérique", PASSWORD)
    alice, bruno = log_in(console, "alice@cci-exemple.fr"), log_in(console, "bruno@cci-exemple.fr")
    ticket_id = new_ticket(database_url)
    taken = call(console, f"/console/api/tickets/{ticket_id}/take", {}, CONSOLE, cookie=alice)
    assert taken.status == 200 and taken.body["ticket"]["advisor"] == "Équipe numérique"  # the name owners see

    for action in ("take", "handback", "close"):
        refused = call(console, f"/console/api/tickets/{ticket_id}/{action}", {}, CONSOLE, cookie=bruno)
        assert refused.status == 409 and "un autre compte" in refused.body["error"], action
    refused = call(console, f"/console/api/tickets/{ticket_id}/message", {"text": "C'est moi"}, CONSOLE, cookie=bruno)
    assert refused.status == 409 and "Prenez d'abord" in refused.body["error"]
    ticket = tickets.get_with_events(ticket_id)
    assert ticket.status == storage.LIVE and [e.kind for e in ticket.events] == ["created", "taken"]

    # Each console knows which live tickets are its own.
    me = call(console, "/console/api/me", cookie=bruno).body["advisor"]
    [listed] = call(console, "/console/api/tickets?status=live", cookie=bruno).body["tickets"]
    assert listed["advisor_id"] != me["id"]
    assert (
        call(
            console, f"/console/api/tickets/{ticket_id}/message", {"text": "Je suis là."}, CONSOLE, cookie=alice
        ).status
        == 200
    )
    assert call(console, f"/console/api/tickets/{ticket_id}/handback", {}, CONSOLE, cookie=alice).status == 200


def test_a_database_from_before_advisor_ids_is_upgraded_and_its_live_tickets_stay_with_their_advisor(database_url):
    legacy_ticket(
        database_url,
        "advisor_id",
        sender_id="owner-old",
        status="live",
        reason="requested",
        advisor="Équipe A",
        created_at=storage.utcnow(),
        updated_at=storage.utcnow(),
    )
    tickets = storage.ticket_repository(database_url)  # upgrades the table on first use
    [ticket] = tickets.by_status()
    assert ticket.advisor == "Équipe A" and ticket.advisor_id is None
    with pytest.raises(storage.TicketStateError, match="déjà prise en charge par Équipe A"):
        tickets.take(ticket.id, 2, "Équipe B")
    tickets.hand_back(ticket.id, 1, "Équipe A")  # taken before ids: known by name
    tickets.take(ticket.id, 1, "Équipe A")
    assert tickets.get(ticket.id).advisor_id == 1
    with pytest.raises(storage.TicketStateError, match="un autre compte"):
        tickets.close(ticket.id, 3, "Équipe A")


# 6. Login throttle in the database -------------------------------------------------------------


def attempts_kept(database_url):
    with Session(advisors.advisor_repository(database_url).engine) as session:
        return session.scalar(select(func.count(advisors.LoginAttempt.id)))


def test_parallel_guesses_get_no_more_tries_and_the_advisor_is_not_locked_out_from_elsewhere(database_url):
    accounts = advisors.advisor_repository(database_url)
    accounts.create_account("conseil@exemple.fr", "Équipe numérique", PASSWORD)
    start = threading.Barrier(20)

    def guess(number):
        start.wait()
        try:
            return accounts.log_in("conseil@exemple.fr", f"essai {number}", 8, address="198.51.100.7")
        except advisors.LoginThrottled:
            return "refused"

    with ThreadPoolExecutor(20) as pool:
        answers = list(pool.map(guess, range(20)))
    checked = answers.count(None)
    assert checked <= advisors.LOGIN_ATTEMPTS and answers.count("refused") == 20 - checked
    # Guessing on, one at a time: five checked passwords in all, then refusals.
    while True:
        try:
            assert accounts.log_in("conseil@exemple.fr", "encore faux", 8, address="198.51.100.7") is None
            checked += 1
        except advisors.LoginThrottled:
            break
    assert checked == advisors.LOGIN_ATTEMPTS
    with pytest.raises(advisors.LoginThrottled):  # even the right password, from the attacker's address
        accounts.log_in("conseil@exemple.fr", PASSWORD, 8, address="198.51.100.7")
    # The advisor, from their own address, logs in as usual.
    assert accounts.log_in("conseil@exemple.fr", PASSWORD, 8, address="203.0.113.20")
    assert attempts_kept(database_url) == advisors.LOGIN_ATTEMPTS  # refused attempts are not kept


def test_one_address_trying_many_accounts_is_stopped_and_old_attempts_are_forgotten(database_url):
    accounts = advisors.advisor_repository(database_url)
    accounts.create_account("conseil@exemple.fr", "Équipe numérique", PASSWORD)
    for number in range(advisors.ADDRESS_ATTEMPTS):
        assert accounts.log_in(f"personne{number}@exemple.fr", "faux", 8, address="198.51.100.7") is None
    with pytest.raises(advisors.LoginThrottled):
        accounts.log_in("conseil@exemple.fr", PASSWORD, 8, address="198.51.100.7")
    assert accounts.log_in("conseil@exemple.fr", PASSWORD, 8, address="203.0.113.20")

    later = storage.utcnow() + advisors.LOGIN_WINDOW + timedelta(seconds=1)
    assert accounts.log_in("conseil@exemple.fr", PASSWORD, 8, address="198.51.100.7", now=later)
    assert attempts_kept(database_url) == 0  # the old failures are deleted, not only ignored


def test_the_console_refuses_a_sixth_wrong_password_and_counts_per_client_address(console, database_url, monkeypatch):
    accounts = advisors.advisor_repository(database_url)
    accounts.create_account("conseil@exemple.fr", "Équipe numérique", PASSWORD)
    wrong = {"email": "conseil@exemple.fr", "password": "mauvais mot de passe"}
    right = {**wrong, "password": PASSWORD}
    # Without a trusted proxy X-Forwarded-For is the client's word: changing it opens no new count.
    for number in range(advisors.LOGIN_ATTEMPTS):
        assert (
            call(console, "/console/api/login", wrong, {**CONSOLE, "X-Forwarded-For": f"192.0.2.{number}"}).status
            == 401
        )
    refused = call(console, "/console/api/login", right, {**CONSOLE, "X-Forwarded-For": "192.0.2.99"})
    assert refused.status == 429 and "réessayez dans un quart d'heure" in refused.body["error"]

    # Behind a trusted proxy, the address the proxy saw is the client's.
    monkeypatch.setenv("TRUSTED_PROXY", "1")
    attacker = {**CONSOLE, "X-Forwarded-For": "198.51.100.7"}
    for _ in range(advisors.LOGIN_ATTEMPTS):
        assert call(console, "/console/api/login", wrong, attacker).status == 401
    assert call(console, "/console/api/login", right, attacker).status == 429
    # The attacker cannot pose as another client: only the entry the proxy appended counts.
    assert (
        call(console, "/console/api/login", right, {**CONSOLE, "X-Forwarded-For": "203.0.113.20, 198.51.100.7"}).status
        == 429
    )
    # The advisor, from their own address, is not locked out by the attacker's failures.
    assert call(console, "/console/api/login", right, {**CONSOLE, "X-Forwarded-For": "203.0.113.20"}).status == 200


# 7. Equal-cost login ---------------------------------------------------------------------------


def test_every_login_costs_one_scrypt_whether_the_account_exists_or_not(database_url, monkeypatch):
    accounts = advisors.advisor_repository(database_url)
    accounts.create_account("conseil@exemple.fr", "Équipe numérique", PASSWORD)
    accounts.create_account("parti@exemple.fr", "Ancien conseiller", PASSWORD)
    accounts.deactivate_account("parti@exemple.fr")
    real_scrypt, calls = hashlib.scrypt, []

    def counted(*args, **kwargs):
        calls.append(1)
        return real_scrypt(*args, **kwargs)

    monkeypatch.setattr(hashlib, "scrypt", counted)
    costs = {}
    for case, email, password in [
        ("unknown", "inconnu@exemple.fr", PASSWORD),
        ("wrong", "conseil@exemple.fr", "faux"),
        ("right", "conseil@exemple.fr", PASSWORD),
        ("disabled", "parti@exemple.fr", PASSWORD),
    ]:
        calls.clear()
        answer = accounts.log_in(email, password, 8, address=f"192.0.2.{len(costs)}")
        assert (answer is not None) == (case == "right")
        costs[case] = len(calls)
    assert costs == {"unknown": 1, "wrong": 1, "right": 1, "disabled": 1}
