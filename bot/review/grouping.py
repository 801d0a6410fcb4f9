"""Groups the inbox's similar messages, so that an advisor labels a whole group at once.

Two messages are similar when, once normalised (bot/language/text.py: case, accents,
punctuation, SMS spelling) and stripped of French function words, most of their words are
the same word, a typing slip included: "sitte" ~ "site", "clood" ~ "cloud" (rapidfuzz ratio of
at least TYPO_SIMILARITY, words of three letters or more), or a word cut short: "factu" ~
"facturation". The score is the share of words matched (Dice: 2 × matched / all words), and
GROUP_THRESHOLD decides. Comparing words rather than characters keeps apart messages that
differ by the one word that matters: "un logiciel de caisse" / "un logiciel de paie", which
character measures such as token_set_ratio put at 92/100.

Messages are grouped only with messages asked during the same question (or both outside
the diagnostic): "non, jamais" does not mean the same answer to two questions. Grouping is
greedy and deterministic: wordings are taken most frequent first, each joins the group of the
most similar wording already placed (ties: the first placed), else leads a group of its own.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Dict, FrozenSet, List, Optional, Sequence, Tuple

from rapidfuzz import fuzz, process

from bot.language.text import normalize
from bot.review.records import InboxRecord

# Share of words two messages must have in common (after normalisation, typos allowed).
GROUP_THRESHOLD = 0.75
# Two words this similar (rapidfuzz ratio, 0-100) are one word typed with a slip.
TYPO_SIMILARITY = 80
# Shorter words must be typed the same ("tpe" is not "tva"); at this length a slip is one letter
# missing or added ("veu" ~ "veux"), as a ratio of 80 allows no other change.
TYPO_MIN_LENGTH = 3
# A word cut short matches the whole word ("factu" ~ "facturation", "compta" ~ "comptabilite").
ABBREVIATION_MIN_LENGTH = 5
# A quick character measure first discards wordings that cannot reach the threshold.
CANDIDATE_CUTOFF = 50

# French function words, as normalize() writes them (no accents, SMS spelling expanded).
# Negations, "oui"/"non" and verbs of wanting stay: they change what a message means.
FUNCTION_WORDS = frozenset(
    """
    a ai as au aux avec avez avons c ca ce cela ces cet cette d dans de des du elle elles en es est et etre
    eu il ils j je l la le les leur leurs lui m ma me mes moi mon n ne nos notre nous on ont ou par pour qu
    que quel quelle quelles quels qui quoi s sa se ses si son sont suis sur t ta te tes toi ton tu un une
    vos votre vous y bonjour salut bonsoir svp stp merci alors donc bah ben bon euh hein ok voila
    tout tous toute toutes tres trop plus aussi deja encore juste comment pourquoi quand qd mais car comme
    """.split()
)


@dataclass(frozen=True)
class MessageGroup:
    """Similar messages asked in the same context, newest first."""

    key: str  # the leading wording, normalised: stable while the group keeps its leader
    representative: str  # the leading wording as typed most often (the newest among equals)
    question_id: Optional[str]
    messages: Tuple[InboxRecord, ...]

    @property
    def count(self) -> int:
        return len(self.messages)

    @property
    def newest(self) -> datetime:
        return self.messages[0].at

    @property
    def reasons(self) -> Tuple[str, ...]:
        """The reasons its messages landed in the inbox, most frequent first."""
        counts: Dict[str, int] = {}
        for message in self.messages:
            counts[message.reason] = counts.get(message.reason, 0) + 1
        return tuple(sorted(counts, key=lambda reason: (-counts[reason], reason)))


def wording(text: str) -> str:
    """The key that identical wordings share: the normalised text, or the bare text when
    normalisation leaves nothing (emojis, punctuation only)."""
    return normalize(text) or " ".join(text.lower().split())


def content_words(key: str) -> FrozenSet[str]:
    """The words that carry the meaning; all of them when there are only function words."""
    everything = frozenset(key.split())
    meaningful = frozenset(word for word in everything if word not in FUNCTION_WORDS)
    return meaningful or everything


def same_word(first: str, second: str) -> bool:
    if first == second:
        return True
    shorter, longer = sorted((first, second), key=len)
    if len(shorter) < TYPO_MIN_LENGTH:
        return False
    if len(shorter) >= ABBREVIATION_MIN_LENGTH and longer.startswith(shorter):
        return True
    return fuzz.ratio(first, second) >= TYPO_SIMILARITY


def similarity(first: FrozenSet[str], second: FrozenSet[str]) -> float:
    """Dice coefficient over words, a word matching at most one word of the other side."""
    if not first or not second:
        return 1.0 if first == second else 0.0
    unmatched = sorted(second)
    matched = 0
    for word in sorted(first):
        if word in unmatched:  # the exact word first
            unmatched.remove(word)
            matched += 1
            continue
        for index, other in enumerate(unmatched):
            if same_word(word, other):
                del unmatched[index]
                matched += 1
                break
    return 2 * matched / (len(first) + len(second))


def _newest_first(messages: Sequence[InboxRecord]) -> List[InboxRecord]:
    return sorted(messages, key=lambda message: (message.at, message.id), reverse=True)


def _representative(messages: Sequence[InboxRecord]) -> str:
    """The text typed most often (exactly), the newest among equals."""
    counts: Dict[str, int] = {}
    for message in messages:
        counts[message.text] = counts.get(message.text, 0) + 1
    return max(_newest_first(messages), key=lambda message: counts[message.text]).text


def _group_context(messages: Sequence[InboxRecord], question_id: Optional[str]) -> List[MessageGroup]:
    by_wording: Dict[str, List[InboxRecord]] = {}
    for message in messages:
        by_wording.setdefault(wording(message.text), []).append(message)
    # The most frequent wordings lead, then the newest, then by text: the order never depends on the input's.
    order = sorted(
        sorted(by_wording),
        key=lambda key: (len(by_wording[key]), max((m.at, m.id) for m in by_wording[key])),
        reverse=True,
    )
    leaders: List[str] = []  # each group's leading wording
    seen_words: List[FrozenSet[str]] = []  # every wording placed so far, as content words …
    seen_texts: List[str] = []  # … joined, for the quick character measure …
    seen_group: List[int] = []  # … and the group it went to
    members: Dict[str, List[InboxRecord]] = {}
    for key in order:
        words = content_words(key)
        joined = " ".join(sorted(words))
        best, best_score = None, GROUP_THRESHOLD
        candidates = process.extract(
            joined, seen_texts, scorer=fuzz.token_set_ratio, score_cutoff=CANDIDATE_CUTOFF, limit=None
        )
        for _, _, index in sorted(candidates, key=lambda found: found[2]):
            score = similarity(words, seen_words[index])
            if score > best_score or (score == best_score and best is None):
                best, best_score = seen_group[index], score
        if best is None:
            best = len(leaders)
            leaders.append(key)
            members[key] = []
        members[leaders[best]] += by_wording[key]
        seen_words.append(words)
        seen_texts.append(joined)
        seen_group.append(best)
    groups = []
    for key in leaders:
        newest = _newest_first(members[key])
        representative = _representative(by_wording[key])
        groups.append(MessageGroup(key, representative, question_id, tuple(newest)))
    return groups


def group_messages(messages: Sequence[InboxRecord]) -> List[MessageGroup]:
    """The messages in groups of similar ones: biggest groups first, then the most recent."""
    by_context: Dict[Optional[str], List[InboxRecord]] = {}
    for message in messages:
        by_context.setdefault(message.question_id, []).append(message)
    groups = [
        group
        for question_id in sorted(by_context, key=lambda question: question or "")
        for group in _group_context(by_context[question_id], question_id)
    ]
    by_key = sorted(groups, key=lambda group: (group.question_id or "", group.key))
    return sorted(by_key, key=lambda group: (group.count, group.newest, group.messages[0].id), reverse=True)
