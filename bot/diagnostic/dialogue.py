"""What to do with a message received while the diagnostic waits for an answer.

An answer the interpreter understands always wins over the NLU's intent: "on a la fibre"
may look like need_connectivity, but during q_connection it is an answer. Otherwise the
message is a digression (answered, then the question is asked again) or not understood.
"""

import re
from typing import Optional

from bot.diagnostic.answers import AMBIGUOUS, ANSWER, Interpretation
from bot.language.text import normalize

STORE = "store"
CLARIFY = "clarify"
EXPLAIN = "explain"
RETRIEVAL = "retrieval"  # faq/* and objection/* answers
NEED = "need"
HELP = "help"
BOT_CHALLENGE = "bot_challenge"
GREET = "greet"
THANK = "thank"
OUT_OF_SCOPE = "out_of_scope"
PROGRESS = "progress"  # asks for the result or the report before the end
NOT_UNDERSTOOD = "not_understood"

# Reactions that leave the question unanswered for want of a readable answer: they count
# towards the three tries after which the diagnostic moves on.
UNANSWERED = frozenset({CLARIFY, NOT_UNDERSTOOD, OUT_OF_SCOPE, GREET, THANK})

_DIGRESSIONS = {
    "ask_why": EXPLAIN,
    "faq": RETRIEVAL,
    "objection": RETRIEVAL,
    "help": HELP,
    "bot_challenge": BOT_CHALLENGE,
    "greet": GREET,
    "thank": THANK,
    "out_of_scope": OUT_OF_SCOPE,
    "ask_results": PROGRESS,
    "request_report": PROGRESS,
}


# Digressions that win over an answer read in the same message when it is a question:
# "c'est quoi le cloud ?" mentions the cloud but asks something.
_QUESTIONS = ("ask_why", "faq", "objection", "help", "bot_challenge")
_QUESTION_START = re.compile(
    r"^(c est quoi|c quoi|qu est ce|quest ce|pourquoi|comment|ca veut dire|ca sert a quoi|a quoi|kesako|est ce que|quel|quelle|qui)\b"
)


def looks_like_question(text: str) -> bool:
    return "?" in (text or "") or bool(_QUESTION_START.search(normalize(text)))


# A digression the NLU is sure of wins over an answer the reader is unsure of
# ("le numérique c'est trop cher pour moi" while the budget question waits).
SURE_INTENT = 0.9
UNSURE_READING = 0.7
_SURE_DIGRESSIONS = _QUESTIONS + ("out_of_scope",)


def reaction(
    interpretation: Interpretation, intent: Optional[str], text: str = "", intent_confidence: float = 0.0
) -> str:
    sure_digression = (
        intent in _SURE_DIGRESSIONS and intent_confidence >= SURE_INTENT and interpretation.confidence < UNSURE_READING
    )
    asks_something = (intent in _QUESTIONS and looks_like_question(text)) or sure_digression
    if interpretation.kind == ANSWER and not asks_something:
        return STORE
    if interpretation.kind == AMBIGUOUS and not asks_something:
        return CLARIFY
    if intent in _DIGRESSIONS:
        return _DIGRESSIONS[intent]
    if intent and intent.startswith("need_"):
        return NEED
    return NOT_UNDERSTOOD
