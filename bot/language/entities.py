"""Normalisation of entity values to the canonical forms of SPEC section 2.

Used both by the NLU pipeline (rasa_addons/entity_normalizer.py) and by the diagnostic
form when it reads a free-text answer.
"""

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Dict, Iterable, List, Optional

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from rapidfuzz import fuzz, process
from text_to_num import alpha2digit

from bot.language.text import normalize, strip_accents
from bot.language.vocabulary import CANONICAL_VALUES, Vocabulary, vocabulary_from_files

_ARTICLES = {
    "le",
    "la",
    "les",
    "l",
    "un",
    "une",
    "des",
    "du",
    "de",
    "d",
    "mon",
    "ma",
    "mes",
    "notre",
    "nos",
    "en",
    "au",
    "aux",
    "sur",
}


@lru_cache(maxsize=1)
def default_vocabulary() -> Vocabulary:
    """The vocabulary of the training files (the NLU component learns the same one)."""
    return vocabulary_from_files()


def _candidates(norm: str) -> Iterable[str]:
    yield norm
    words = norm.split()
    while words and words[0] in _ARTICLES:
        words = words[1:]
    stripped = " ".join(words)
    yield stripped
    if stripped.endswith(("s", "x")):
        yield stripped[:-1]


def canonical_value(entity: str, text: str, vocabulary: Optional[Dict[str, Dict[str, str]]] = None) -> Optional[str]:
    """Maps a raw entity text ("boulangère", "insta", "la fibre") to its canonical value."""
    values = CANONICAL_VALUES[entity]
    table = (vocabulary or default_vocabulary()).get(entity, {})
    norm = normalize(text).replace(" ", "_") if normalize(text).replace(" ", "_") in values else normalize(text)
    for candidate in _candidates(norm):
        if candidate in values:
            return candidate
        if candidate in table:
            return table[candidate]
    if table and len(norm) >= 4:
        match = process.extractOne(norm, table.keys(), scorer=fuzz.ratio, score_cutoff=86)
        if match:
            return table[match[0]]
    return None


@dataclass(frozen=True)
class Found:
    value: str
    start: int
    end: int
    text: str


_TOKEN = re.compile(r"\w+", re.UNICODE)


def find_in_text(
    entity: str, text: str, vocabulary: Optional[Dict[str, Dict[str, str]]] = None, fuzzy: bool = True
) -> List[Found]:
    """Finds known words of an entity type in free text ("on a une page fb et insta")."""
    table = (vocabulary or default_vocabulary()).get(entity, {})
    tokens = [(match.start(), match.end(), normalize(match.group())) for match in _TOKEN.finditer(text or "")]
    found: List[Found] = []
    used = [False] * len(tokens)
    for size in (4, 3, 2, 1):
        for first in range(0, len(tokens) - size + 1):
            if any(used[first : first + size]):
                continue
            phrase = " ".join(token[2] for token in tokens[first : first + size])
            value = table.get(phrase)
            if value is None and fuzzy and size == 1 and len(phrase) >= 6:
                match = process.extractOne(phrase, table.keys(), scorer=fuzz.ratio, score_cutoff=90)
                value = table[match[0]] if match else None
            if value is not None:
                start, end = tokens[first][0], tokens[first + size - 1][1]
                found.append(Found(value, start, end, text[start:end]))
                for index in range(first, first + size):
                    used[index] = True
    return sorted(found, key=lambda item: item.start)


# --- headcount -------------------------------------------------------------------------

_APPROXIMATE = {
    "dizaine": 10,
    "douzaine": 12,
    "quinzaine": 15,
    "vingtaine": 20,
    "trentaine": 30,
    "quarantaine": 40,
    "cinquantaine": 50,
    "soixantaine": 60,
    "centaine": 100,
}
_SOLO = re.compile(
    r"\b(seule?|tout seul|toute seule|en solo|auto ?entrepreneu(r|se)|micro ?entrepreneu(r|se)|"
    r"micro entreprise|independante?|free ?lance|a mon compte|entrepreneur individuel|personne d autre)\b"
)
_PERSON = (
    r"(femme|mari|epouse|epoux|conjointe?|compagne|compagnon|fils|fille|frere|soeur|pere|mere|"
    r"associee?|salariee?|employee?|apprentie?|stagiaire|alternante?|collaborat(eur|rice)|"
    r"collegue|ouvriere?|vendeu(r|se)|secretaire|comptable|serveu(r|se)|cousine?|neveu|niece|"
    r"beau frere|belle soeur|gendre|belle fille|partenaire|copine?|assistante?|commis|aide)"
)
_SINGLE_PERSON = re.compile(r"\b(ma|mon|sa|son|notre|votre)\s+(\w+\s+)?" + _PERSON + r"\b")
_OWNER = re.compile(r"\bmoi\b")
_OWNER_INCLUDED = re.compile(r"\b(avec|dont|y compris|compris|inclus|en comptant)\s+moi\b|\bmoi\s+(compris|inclus)\b")
_NUMBER = re.compile(r"\b\d+\b")


# A total said outright and closed by punctuation or the end: "on est trois, moi plus deux ouvriers".
_STATED_TOTAL = re.compile(
    r"\b(?:on est|on sera|nous sommes|on bosse a|on travaille a)\s+(\d+)(?:\s+(?:personnes?|en tout|au total))?\s*(?:[,;.:]|$)"
)


# Figures that cannot be a count of people: a decimal ("2,5"), a negative ("moins trois",
# "-5"), a number in thousands or beyond ("1 000 000", "un milliard"), infinity.
NOT_A_COUNT = re.compile(
    r"\d[.,]\d|\bmoins\s+(?:\d|un|une|deux|trois|quatre|cinq|six|sept|huit|neuf|dix)\b|(?<![\w-])-\s*\d"
    r"|\b\d{1,3}(?:[ \u00a0\u202f]\d{3})+\b|\bmillions?\b|\bmilliards?\b|infini",
    re.I,
)


def stated_total(text: str) -> Optional[int]:
    """The headcount when the owner says it outright ("on est trois, …"), else None."""
    if NOT_A_COUNT.search(text or ""):
        return None
    total = _STATED_TOTAL.search(alpha2digit(strip_accents((text or "").lower()), "fr", threshold=0))
    return int(total.group(1)) if total and int(total.group(1)) >= 1 else None


def parse_headcount(text: str) -> Optional[int]:
    """The number of people working in the company, as the owner counts them.

    "seul" -> 1, "moi et deux salariés" -> 3, "12 salariés" -> 12, "une dizaine" -> 10.
    """
    norm = normalize(text)
    if not norm or NOT_A_COUNT.search(text):
        return None
    for word, value in _APPROXIMATE.items():
        norm = re.sub(rf"\b(une|1)?\s*{word}s?\b", f" {value} ", norm)
    # "un"/"une" count as 1 only before a person ("une apprentie"), not as an article
    # ("une équipe de 15"), and stay as they are in "vingt et un".
    norm = re.sub(r"\b(un|une)\b(?=\s+(\w+\s+)?" + _PERSON + r"\b)", "1", norm)
    norm = re.sub(r"(?<!\bet )\b(un|une)\b", " ", norm)
    norm = re.sub(r"\s+", " ", alpha2digit(norm, "fr", threshold=0)).strip()
    total = stated_total(text)
    if total:  # "on est trois, moi plus deux ouvriers": the total is said, the rest details it
        return total
    numbers = [int(number) for number in _NUMBER.findall(norm) if int(number) < 100000]
    persons = len(_SINGLE_PERSON.findall(norm))
    owner = 1 if _OWNER.search(norm) and not _OWNER_INCLUDED.search(norm) and (numbers or persons) else 0
    total = sum(numbers) + persons + owner
    if total == 0 and (
        _SOLO.search(norm)
        or re.fullmatch(
            r"(il y a )?(que|juste|seulement) moi( tout seul| seul)?( quoi)?|moi tout seul|moi seule?", norm
        )
    ):
        return 1
    return total if total > 0 else None


_NUMBER_WORDS = (
    r"\d+|un|une|deux|trois|quatre|cinq|six|sept|huit|neuf|dix|onze|douze|treize|quatorze|quinze|seize|"
    r"vingt|trente|quarante|cinquante|soixante|cent"
)
_HEADCOUNT_PHRASES = [
    re.compile(
        rf"\b(?:on est|on sera|nous sommes|on bosse a|on travaille a)\s+(?:{_NUMBER_WORDS})(?:\s+(?:personnes?|salari[eé]e?s?))?\b",
        re.I,
    ),
    re.compile(rf"\bmoi(?:\s+et|\s*\+)\s+(?:{_NUMBER_WORDS}|ma|mon)\s+\w+", re.I),
    re.compile(
        rf"\b(?:{_NUMBER_WORDS}|une\s+(?:dizaine|quinzaine|vingtaine|trentaine))\s+(?:de\s+)?"
        rf"(?:salari[eé]e?s|salari[eé]e?|personnes?|employ[eé]e?s?|collaborat(?:eur|rice)s?|associ[eé]e?s?|apprenti?e?s?)\b",
        re.I,
    ),
    re.compile(
        r"\b(?:je (?:travaille|bosse|suis) (?:tout |toute )?seule?|auto[- ]?entrepreneu(?:r|se)|micro[- ]?entrepreneu(?:r|se))\b",
        re.I,
    ),
]


def find_headcount(text: str) -> Optional[Found]:
    """A headcount phrase in free text ("on est 4", "moi et deux salariés"), if any."""
    for pattern in _HEADCOUNT_PHRASES:
        match = pattern.search(text or "")
        if match and NOT_A_COUNT.search(text[max(0, match.start() - 7) : match.end() + 12]):
            return None  # "nous sommes 2,5 salariés": the phrase stops before what makes it no count
        if match:
            value = parse_headcount(match.group(0))
            if value:
                return Found(str(value), match.start(), match.end(), match.group(0))
    return None


# --- contact details ---------------------------------------------------------------------


def normalize_phone(text: str) -> Optional[str]:
    """A French phone number as ten digits in national form, or None if it cannot be one.

    A well-formed number is kept even in a range that is not allocated (is_possible, not
    is_valid): the owner typed it on purpose, and 06 39 98 … is the range reserved for fiction,
    so examples and test sets use it."""
    try:
        number = phonenumbers.parse(text, "FR")
    except phonenumbers.NumberParseException:
        return None
    if number.country_code != 33 or not phonenumbers.is_possible_number(number):
        return None
    national = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    digits = re.sub(r"\D", "", national)
    return digits if len(digits) == 10 else None


def normalize_email(text: str) -> Optional[str]:
    try:
        return validate_email(text.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        return None


def normalize_postcode(text: str) -> Optional[str]:
    digits = re.sub(r"\s", "", text or "")
    if re.fullmatch(r"\d{5}", digits) and ("01000" <= digits <= "98999"):
        return digits
    return None


_SPOKEN_NUMBER = (
    r"(?:z[eé]ro|un|une|deux|trois|quatre|cinq|six|sept|huit|neuf|dix|onze|douze|treize|quatorze|quinze|seize|"
    r"vingts?|trente|quarante|cinquante|soixante|septante|huitante|octante|nonante|cents?|\d{1,2}|plus|et)"
)
# A run of spoken numbers ("zéro six trente-neuf quatre-vingt-dix-huit …") as owners dictate
# a phone number: alpha2digit turns it into figures, which must then make a French number.
_SPOKEN_RUN = re.compile(rf"\b(?!et\b){_SPOKEN_NUMBER}(?:[\s,.\-]+{_SPOKEN_NUMBER}){{4,}}\b", re.I)


def find_spoken_phone(text: str) -> Optional[Found]:
    """A phone number written in words, or in words and figures mixed, if any."""
    for match in _SPOKEN_RUN.finditer(text or ""):
        written = match.group(0)
        spoken = re.sub(r"\bzero\b", "zéro", written.lower())
        spoken = re.sub(r"\bplus\s+(trente[\s-]+trois|33)\b", "+33", spoken)
        figures = alpha2digit(spoken.replace("-", " "), "fr", threshold=0)
        digits = re.sub(r"[^\d+]", "", figures)
        if not re.search(r"\d", written) or len(re.findall(r"[a-zé]+", written.lower())) >= 2:
            phone = normalize_phone(digits) if len(re.sub(r"\D", "", digits)) >= 9 else None
            if phone:
                return Found(phone, match.start(), match.end(), written)
    return None


PHONE_PATTERN = re.compile(r"(?:\+33\s?|0033\s?|\b0)[1-9](?:[\s.\-]?\d{2}){4}\b")
# The lookbehind starts a match only where an address can start: linear time on a long run of
# letters with no "@" (without it, every position of the run would be tried to its end).
EMAIL_PATTERN = re.compile(r"(?<![\w.+\-])[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+")


EMAIL_WORD = " adressemail "
PHONE_WORD = " numerotelephone "


def mask_contacts(text: str) -> str:
    """The text with each e-mail address and phone number (in figures or words) replaced by
    a placeholder word."""
    masked = EMAIL_PATTERN.sub(EMAIL_WORD, text or "")
    masked = re.sub(r"(?:\+33|0033|\b0)\s*[1-9](?:[\s.\-]*\d{2}){4}\b", PHONE_WORD, masked)
    spoken = find_spoken_phone(masked)
    while spoken:
        masked = masked[: spoken.start] + PHONE_WORD + masked[spoken.end :]
        spoken = find_spoken_phone(masked)
    return masked


def find_contacts(text: str) -> Dict[str, Optional[str]]:
    """Extracts an e-mail and a phone number from free text, normalised."""
    email = next((value for value in map(normalize_email, EMAIL_PATTERN.findall(text or "")) if value), None)
    phone = next((value for value in map(normalize_phone, PHONE_PATTERN.findall(text or "")) if value), None)
    return {"email": email, "phone": phone}
