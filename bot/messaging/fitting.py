"""Fitting text into a platform's limits: measuring, splitting, shortening.

Splitting never cuts a word, and so never a link (a link holds no space): a text too long is
cut between paragraphs, else between lines, else between sentences, else between words. Only
a single word longer than the limit by itself is cut inside, as nothing else could fit.
"""

import re
from typing import Callable, List, Pattern, Sequence

ELLIPSIS = "…"

# From the coarsest boundary to the finest: paragraph, line, sentence, word.
BOUNDARIES: Sequence[Pattern[str]] = (
    re.compile(r"\n[ \t]*\n\s*"),
    re.compile(r"\n\s*"),
    re.compile(r"(?<=[.!?…:;])\s+"),
    re.compile(r"\s+"),
)

# Words a shortened title does not end on ("Un budget pour…", not "Un budget pour un…").
_DANGLING = frozenset("un une le la les l d de des du à au aux en et ou".split())
_DANGLING_PUNCTUATION = " ,;:-–—/(«\"'’"


def length(text: str) -> int:
    """Text length in UTF-16 code units: characters, an emoji counting two."""
    return len(text.encode("utf-16-le")) // 2


def byte_length(text: str) -> int:
    return len(text.encode("utf-8"))


def _cut_to(text: str, limit: int, measure: Callable[[str], int]) -> str:
    """The longest start of `text` that measures at most `limit` (whole characters)."""
    end = min(len(text), limit)
    while end > 0 and measure(text[:end]) > limit:
        end -= 1
    return text[:end]


def _hard_cut(text: str, limit: int) -> List[str]:
    pieces = []
    while text:
        piece = _cut_to(text, limit, length) or text[:1]
        pieces.append(piece)
        text = text[len(piece) :]
    return pieces


def _split(text: str, limit: int, level: int) -> List[str]:
    if length(text) <= limit:
        return [text]
    if level == len(BOUNDARIES):
        return _hard_cut(text, limit)
    boundary = BOUNDARIES[level]
    parts = boundary.split(text)
    separators = boundary.findall(text)
    chunks: List[str] = []
    current = ""
    for index, part in enumerate(parts):
        if not part:
            continue
        joined = current + separators[index - 1] + part if current else part
        if length(joined) <= limit:
            current = joined
            continue
        if current:
            chunks.append(current)
        pieces = _split(part, limit, level + 1)
        chunks.extend(pieces[:-1])
        current = pieces[-1]
    if current:
        chunks.append(current)
    return chunks


def split_text(text: str, limit: int) -> List[str]:
    """`text` in pieces of at most `limit`, cut at the coarsest boundary that makes them fit.

    The pieces hold every word of the text, in order; the spaces and line breaks where it
    was cut are dropped. An empty text gives no piece.
    """
    if limit < 1:
        raise ValueError("limit must be positive")
    text = text.strip()
    if not text:
        return []
    return [piece.strip() for piece in _split(text, limit, 0) if piece.strip()]


def split_keeping_last(text: str, limit: int, last_limit: int) -> List[str]:
    """As `split_text`, the last piece at most `last_limit` (it carries the buttons).

    The last piece is the end of the text cut at `last_limit`; what comes before it is cut
    at `limit`, so that no more messages are sent than needed.
    """
    text = text.strip()
    if length(text) <= last_limit:
        return [text] if text else []
    last = split_text(text, last_limit)[-1]
    head = text[: text.rfind(last)]
    return split_text(head, limit) + [last]


def _trim_end(text: str) -> str:
    words = text.rstrip(_DANGLING_PUNCTUATION).split()
    while len(words) > 1 and words[-1].lower().strip(_DANGLING_PUNCTUATION) in _DANGLING:
        words.pop()
    return " ".join(words).rstrip(_DANGLING_PUNCTUATION)


def shorten(text: str, limit: int, measure: Callable[[str], int] = length) -> str:
    """`text` if it fits, else its start cut after a whole word, with "…", within `limit`.

    "Un budget pour un achat précis" in 20 -> "Un budget pour…". An unclosed parenthesis is left
    out ("Fibre ou câble (30 Mb/s…" -> "Fibre ou câble…"); a first word longer than the
    limit is cut inside.
    """
    text = " ".join(text.split())
    if measure(text) <= limit:
        return text
    room = limit - measure(ELLIPSIS)
    if room < 1:
        return _cut_to(ELLIPSIS, limit, measure)
    start = _cut_to(text, room, measure)
    if len(start) < len(text) and not text[len(start)].isspace() and " " in start:
        start = start[: start.rfind(" ")]  # the last word did not fit whole
    if start.rfind("(") > start.rfind(")") and start[: start.rfind("(")].strip():
        start = start[: start.rfind("(")]
    start = _trim_end(start) or start.strip()
    return start + ELLIPSIS
