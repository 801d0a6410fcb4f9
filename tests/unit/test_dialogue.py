"""Answer or digression? The interpreter's answer wins, unless the owner asks a question."""

import pytest

from bot.diagnostic import dialogue
from bot.diagnostic.answers import AMBIGUOUS, ANSWER, NOT_UNDERSTOOD, Interpretation
from bot.diagnostic.corrections import is_explicit_correction

ANSWERED = Interpretation(ANSWER, "fast")


@pytest.mark.parametrize(
    "interpretation, intent, text, expected",
    [
        (ANSWERED, "need_connectivity", "on a la fibre", dialogue.STORE),
        (ANSWERED, "faq", "c'est quoi le cloud ?", dialogue.RETRIEVAL),
        (ANSWERED, "faq", "cest koi la fibre", dialogue.RETRIEVAL),
        (ANSWERED, "inform", "la fibre ?", dialogue.STORE),
        (Interpretation(NOT_UNDERSTOOD), "ask_why", "pourquoi cette question", dialogue.EXPLAIN),
        (Interpretation(NOT_UNDERSTOOD), "objection", "c'est trop cher tout ça", dialogue.RETRIEVAL),
        (Interpretation(NOT_UNDERSTOOD), "need_ai", "je veux utiliser chatgpt", dialogue.NEED),
        (Interpretation(AMBIGUOUS, candidates=("paper", "spreadsheet")), "inform", "papier ou excel", dialogue.CLARIFY),
        (Interpretation(NOT_UNDERSTOOD), "nlu_fallback", "blabla", dialogue.NOT_UNDERSTOOD),
        (Interpretation(NOT_UNDERSTOOD), "ask_results", "c'est quoi mon score", dialogue.PROGRESS),
    ],
)
def test_reaction(interpretation, intent, text, expected):
    assert dialogue.reaction(interpretation, intent, text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("je me suis trompé", True),
        ("je me suis trompe pour la question d'avant", True),
        ("en fait pour la question d'avant c'est non", True),
        ("non c'est pas ça", True),
        ("vous avez mal compris", True),
        ("je voudrais corriger ma réponse sur la connexion", True),
        ("malheureusement on ne répond jamais aux avis, je le regrette", False),
        ("dommage mais on n'a pas le temps de lire les avis", False),
        ("on a fait l'erreur de ne rien sauvegarder", False),
        ("non", False),
    ],
)
def test_a_correction_needs_correction_language(text, expected):
    assert is_explicit_correction(text) is expected


def test_a_near_match_is_not_correction_language():
    assert not is_explicit_correction("c'est au coeur de notre metier, impossible de travailler sans")


def test_a_sure_digression_wins_over_an_unsure_reading_and_a_sure_reading_over_a_weak_intent():
    unsure = Interpretation(ANSWER, "none", confidence=0.45)
    sure = Interpretation(ANSWER, "none", confidence=0.95)
    text = "le numérique c'est trop cher pour moi"
    assert dialogue.reaction(unsure, "objection", text, 0.98) == dialogue.RETRIEVAL
    assert dialogue.reaction(sure, "objection", text, 0.98) == dialogue.STORE
    assert dialogue.reaction(unsure, "objection", text, 0.6) == dialogue.STORE
    assert dialogue.reaction(unsure, "need_funding", "pas de budget, faut des aides", 0.98) == dialogue.STORE
