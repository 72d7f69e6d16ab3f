"""Compare the name on a bank account with the applicant's name."""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz import fuzz
from text_unidecode import unidecode

# Words that join the holders of a joint account ("Kari og Per Hansen"); one-letter joiners
# (Spanish "y", Italian "e") are left out because they read as initials.
_JOINERS = frozenset({"og", "and", "und", "et", "och", "en", "oder", "or"})
_TITLES = frozenset(
    {"mr", "mrs", "ms", "miss", "dr", "prof", "herr", "frau", "fru", "hr", "mme", "sr"}
)
_JOINT_SPLIT = re.compile(r"\s*(?:&|\+|/|\b(?:" + "|".join(sorted(_JOINERS)) + r")\b)\s*")
_NON_LETTERS = re.compile(r"[^a-z\s]+")

# Thresholds on a 0..1 scale; a single typo in a 6-letter name still scores about 0.9.
TOKEN_MATCH = 0.85
INITIAL_SCORE = 0.9
OK_SCORE = 0.85


@dataclass(frozen=True, slots=True)
class NameMatch:
    """How well an account holder's name matches the applicant (score 0..1)."""

    score: float
    ok: bool


def _fold(text: str) -> str:
    text = unidecode(text or "").lower()
    return re.sub(r"\s+", " ", text).strip()


def _tokens(text: str) -> list[str]:
    words = _NON_LETTERS.sub(" ", text).split()
    return [w for w in words if w not in _TITLES and w not in _JOINERS]


def _holders(holder: str) -> list[list[str]]:
    """Split a holder string into one token list per person, sharing a trailing surname."""
    folded = _fold(holder)
    if folded.count(",") == 1 and not _JOINT_SPLIT.search(folded):
        # "Hansen, Kari" is the surname-first form banks print.
        last, first = folded.split(",")
        folded = f"{first} {last}"
    parts = [_tokens(part) for part in _JOINT_SPLIT.split(folded)]
    parts = [p for p in parts if p]
    if len(parts) > 1:
        surname = parts[-1][-1:]
        # "Kari og Per Hansen": a lone given name shares the last person's surname.
        parts = [p + surname if len(p) == 1 else p for p in parts]
    return parts


def _best(needle: str, haystack: list[str]) -> float:
    best = 0.0
    for word in haystack:
        if len(word) == 1 or len(needle) == 1:
            score = INITIAL_SCORE if word[0] == needle[0] else 0.0
        else:
            score = fuzz.ratio(needle, word) / 100
        best = max(best, score)
    return best


def _person_score(holder: list[str], first: list[str], last: list[str]) -> float:
    # Compound surnames ("Nordmann Hansen") match on any part; the first given name must be there,
    # as a word or an initial, and middle names on either side are ignored.
    last_score = max((_best(word, holder) for word in last), default=0.0)
    given = [w for w in holder if _best(w, last) < TOKEN_MATCH] or holder
    first_score = max((_best(word, given) for word in first[:1]), default=0.0)
    if len(first) > 1:
        first_score = max(first_score, max(_best(word, given) for word in first[1:]) * 0.95)
    return min(last_score, first_score)


def holder_name_match(holder: str, first_name: str, last_name: str) -> NameMatch:
    """Score how well ``holder`` (the name on the account) matches the applicant."""
    first = _tokens(_fold(first_name))
    last = _tokens(_fold(last_name))
    people = _holders(holder)
    if not people or not last or not first:
        return NameMatch(score=0.0, ok=False)
    score = max(_person_score(person, first, last) for person in people)
    score = round(score, 3)
    return NameMatch(score=score, ok=score >= OK_SCORE)
