"""What the assistant offers when it is unsure what the owner meant."""

import pytest

from bot.advice.suggestions import suggestions


def ranking(*pairs):
    return [{"name": name, "confidence": confidence} for name, confidence in pairs]


@pytest.mark.parametrize(
    "pairs, expected",
    [
        # two likely needs: both offered, most likely first
        (
            [("nlu_fallback", 0.3), ("need_visibility", 0.27), ("need_online_sales", 0.2)],
            ["need_visibility", "need_online_sales"],
        ),
        # small talk and facts are skipped, the diagnostic is offered
        ([("nlu_fallback", 0.3), ("greet", 0.25), ("inform", 0.2), ("start_diagnostic", 0.15)], ["start_diagnostic"]),
        # a restart is never offered: it erases the answers at once
        ([("nlu_fallback", 0.3), ("restart", 0.28), ("request_advisor", 0.2)], ["request_advisor"]),
        # noise: nothing is likely enough
        ([("nlu_fallback", 0.3), ("need_ai", 0.1), ("need_gdpr", 0.08)], []),
        # at most two
        ([("need_ai", 0.2), ("need_gdpr", 0.19), ("need_training", 0.18)], ["need_ai", "need_gdpr"]),
        ([], []),
    ],
)
def test_suggestions(pairs, expected):
    assert [intent for intent, _ in suggestions(ranking(*pairs))] == expected


def test_every_suggestion_has_a_french_label():
    assert suggestions(ranking(("need_gdpr", 0.2))) == [("need_gdpr", "RGPD et données des clients")]
