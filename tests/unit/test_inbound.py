"""The door of every message: cleaning, bounds, and what a button payload may carry."""

import json

import pytest

from bot.language.entity_contract import MAX_HEADCOUNT, contract_value
from bot.language.inbound import check_message, clean_text, reply, sanitize_payload
from bot.security.rate_limit import RateLimit

INTENTS = {
    "greet",
    "inform",
    "affirm",
    "deny",
    "request_advisor",
    "restart",
    "delete_my_data",
    "faq",
    "start_diagnostic",
    "session_start",
}


@pytest.mark.parametrize(
    "raw, cleaned",
    [
        ("bonjour", "bonjour"),
        ("\u0000", ""),
        ("bonjour\u0000", "bonjour"),
        ("bon\u0000jour", "bon jour"),
        ("\ud800bonjour", "bonjour"),
        ("\u202eruojnob", "ruojnob"),
        ("\ufeffoui", "oui"),
        ("zero\u200bwidth", "zerowidth"),
        ("cafe\u0301", "café"),  # composed
        ("  \t\n ", ""),
        ("ligne 1\nligne 2", "ligne 1\nligne 2"),
        (None, ""),
        (42, ""),
    ],
)
def test_characters_no_one_types_are_removed(raw, cleaned):
    assert clean_text(raw) == cleaned


@pytest.mark.parametrize(
    "raw, reason",
    [
        ("", "empty"),
        ("   ", "empty"),
        ("\u0000\u0000", "empty"),
        ("/", "empty"),
        ("a" * 2001, "too_long"),
        ("bonjour " * 20000, "too_long"),
        ("é" * 2001, "too_long"),
    ],
)
def test_empty_and_overlong_messages_get_a_french_reply_and_go_no_further(raw, reason):
    inbound = check_message(raw, INTENTS, 2000)
    assert inbound.text is None and inbound.reason == reason
    assert inbound.reply == reply(reason, 2000) and inbound.reply.strip()


def test_the_too_long_reply_gives_the_limit_in_french():
    assert "2\u202f000 caractères" in reply("too_long", 2000)


def test_a_message_at_the_limit_goes_on():
    assert check_message("a" * 2000, INTENTS, 2000).text == "a" * 2000


@pytest.mark.parametrize(
    "payload, becomes",
    [
        ("/greet", "/greet"),
        ('/inform{"sector": "retail"}', '/inform{"sector": "retail"}'),
        ('/inform{"sector":"hacker"}', "/inform"),
        ('/inform{"sector": ["retail"]}', "/inform"),
        ('/inform{"headcount": -5}', "/inform"),
        ('/inform{"headcount": 0}', "/inform"),
        ('/inform{"headcount": 1e308}', "/inform"),
        ('/inform{"headcount": 12}', '/inform{"headcount": 12}'),
        ('/inform{"headcount": "12"}', '/inform{"headcount": 12}'),
        ('/inform{"headcount": "1; DROP TABLE events"}', "/inform"),
        ('/inform{"headcount": true}', "/inform"),
        ('/request_advisor{"email": "Jean.Dupont@Orange.FR"}', '/request_advisor{"email": "jean.dupont@orange.fr"}'),
        ('/request_advisor{"email": "x"}', "/request_advisor"),
        ('/request_advisor{"email": {"a": 1}}', "/request_advisor"),
        ('/request_advisor{"phone": "+33 6 12 34 56 78"}', '/request_advisor{"phone": "0612345678"}'),
        ('/request_advisor{"phone": "' + "1" * 10000 + '"}', "/request_advisor"),
        ('/affirm{"offer_choice": "guide"}', '/affirm{"offer_choice": "guide"}'),
        ('/affirm{"offer_choice": "zzz"}', "/affirm"),
        ('/inform{"q_connection": "fiber", "score_overall": 100, "handoff_status": "live"}', "/inform"),
        ('/inform{"requested_slot": "q_ai_use"}', "/inform"),
        ('/inform{"location": "Lyon"}', '/inform{"location": "Lyon"}'),
        ('/inform{"location": "<script>alert(1)</script>"}', "/inform"),
        ("/inform{not json}", "/inform"),
        ('/inform{"sector": "retail"', 'inform{"sector": "retail"'),  # not a payload: read as words
        ("/inform" + json.dumps({f"e{i}": i for i in range(1000)}), "/inform"),
        ("/session_start", "session start"),
        ("/nlu_fallback", "nlu fallback"),
        ("/faq", "faq"),
        ("/unknown_intent", "unknown intent"),
        ("/etc/passwd", "etc/passwd"),
        ("/restart", "/restart"),
    ],
)
def test_payloads_keep_known_intents_and_only_contract_values(payload, becomes):
    assert sanitize_payload(payload, INTENTS) == becomes


@pytest.mark.parametrize(
    "entity, value, expected",
    [
        ("sector", "crafts", "crafts"),
        ("sector", "Crafts", None),
        ("sector", "hacker", None),
        ("headcount", 1, 1),
        ("headcount", MAX_HEADCOUNT, MAX_HEADCOUNT),
        ("headcount", MAX_HEADCOUNT + 1, None),
        ("headcount", 2.5, None),
        ("headcount", float("inf"), None),
        ("headcount", float("nan"), None),
        ("headcount", "99999999999999999999", None),
        ("headcount", None, None),
        ("email", "a@b.fr", "a@b.fr"),
        ("email", "0612345678", None),
        ("email", "a" * 400 + "@b.fr", None),
        ("phone", "06 12 34 56 78", "0612345678"),
        ("phone", "jean@x.fr", None),
        ("postcode", "69003", "69003"),
        ("postcode", "6900", None),
        ("postcode", "99999", None),
        ("location", "Saint-Étienne", "Saint-Étienne"),
        ("location", "Paris 11e", "Paris 11e"),
        ("location", "x" * 81, None),
        ("location", "12345", None),
        ("location", "'; DROP TABLE x;--", None),
        ("connection_type", "fiber", "fiber"),
        ("social_network", "myspace", None),
        ("score_overall", 100, None),
        ("unknown", "x", None),
    ],
)
def test_entity_values_outside_the_contract_are_dropped(entity, value, expected):
    assert contract_value(entity, value) == expected


def test_a_rate_limit_refuses_past_the_limit_then_forgets_after_the_window():
    limit = RateLimit(3, window=60)
    assert [limit.allow("a", now=t) for t in (0, 1, 2, 3)] == [True, True, True, False]
    assert limit.allow("b", now=3)  # another conversation is not affected
    assert limit.allow("a", now=60.5)  # the first event left the window


def test_a_rate_limit_holds_a_bounded_number_of_keys():
    limit = RateLimit(1, window=60, max_keys=100)
    for number in range(10_000):
        limit.allow(f"client-{number}", now=0)
    assert len(limit) == 100
