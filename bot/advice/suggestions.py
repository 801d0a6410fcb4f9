"""What to offer when the assistant is unsure what the owner meant.

Below the fallback threshold the NLU still ranks intents. When the best of them are
things the owner can ask for (a need, the diagnostic, an advisor…), the assistant asks
"Vous voulez parler de … ?" with those as buttons instead of a bare "please rephrase":
one click gets the owner where they meant to go. Small talk, yes/no and facts are never
suggested (a button "Oui" or "Bonjour" would make no sense), nor a restart, which erases
the answers at once.
"""

from typing import Dict, List, Sequence, Tuple

from bot.labels import load_labels
from bot.messages import message

# The needs by their label (labels file); the other intents by their button title (messages file).
SUGGESTED_INTENTS: Dict[str, str] = {
    **load_labels().needs,
    **{
        intent: message(f"buttons.{intent}")
        for intent in ("start_diagnostic", "request_advisor", "ask_results", "request_report", "help")
    },
}
# Below this share of the probability, a guess is noise rather than a lead.
MIN_CONFIDENCE = 0.12
MAX_SUGGESTIONS = 2


def suggestions(ranking: Sequence[dict]) -> List[Tuple[str, str]]:
    """(intent, French label) pairs worth offering, most likely first."""
    found = []
    for item in ranking or []:
        name, confidence = item.get("name"), float(item.get("confidence") or 0)
        if confidence < MIN_CONFIDENCE:
            break  # the ranking is sorted: nothing further is likely enough
        if name in SUGGESTED_INTENTS:
            found.append((name, SUGGESTED_INTENTS[name]))
        if len(found) == MAX_SUGGESTIONS:
            break
    return found
