"""Normalisation of what owners type: case, accents, punctuation and SMS spelling."""

import re
import unicodedata
from typing import List

# Common SMS and phone spellings, expanded so that keywords need only be written once.
SMS_WORDS = {
    "pr": "pour",
    "ds": "dans",
    "bcp": "beaucoup",
    "tjr": "toujours",
    "tjrs": "toujours",
    "qq": "quelques",
    "qqs": "quelques",
    "qqch": "quelque chose",
    "rdv": "rendez vous",
    "jsp": "je ne sais pas",
    "chai": "je ne sais",
    "g": "j ai",
    "c": "c est",
    "cest": "c est",
    "pa": "pas",
    "ya": "il y a",
    "yen": "il y en",
    "ke": "que",
    "koi": "quoi",
    "mm": "meme",
    "pk": "pourquoi",
    "pq": "pourquoi",
    "vs": "vous",
    "ns": "nous",
    "tt": "tout",
    "tte": "toute",
    "ts": "tous",
    "jai": "j ai",
    "jsuis": "je suis",
    "chui": "je suis",
    "oue": "ouais",
    "ouai": "ouais",
    "nn": "non",
    "ok": "ok",
}

_PUNCTUATION = re.compile(r"[^\w@.+]+|(?<!\w)[.+]|[.+](?!\w)")
_SPACES = re.compile(r"\s+")


def strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def normalize(text: str) -> str:
    """Lower-cases, removes accents and punctuation, expands SMS words.

    "J'ai la FIBRE, c top !" -> "j ai la fibre c est top"
    """
    lowered = strip_accents((text or "").lower()).replace("’", "'")
    lowered = re.sub(r"\bc\s*'\s*est\b", "cest", lowered).replace("'", " ")
    spaced = _PUNCTUATION.sub(" ", lowered).replace("_", " ")
    words = [SMS_WORDS.get(word, word) for word in _SPACES.split(spaced.strip()) if word]
    return " ".join(words)


def words(text: str) -> List[str]:
    return normalize(text).split()
