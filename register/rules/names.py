"""Organisation names as people type them: normalising, and deciding when two are a close match.

Interests are matched to providers by identifier wherever possible. A name typed into a free-text
interest ("GoToDoc Limited") can still be the provider on a decision ("Go-To-Doc Ltd"); a close match
here is only ever a *possible* conflict for a person to confirm or dismiss, so the rules aim to catch
the same organisation written differently while keeping neighbours ("North Road Surgery", "South Road
Surgery") apart.
"""
from __future__ import annotations

import difflib
import functools
import re
import unicodedata

SIMILARITY_THRESHOLD = 0.92
MIN_FUZZY_LENGTH = 6

# Legal-form words that say nothing about which organisation it is, dropped from the end.
LEGAL_SUFFIXES = ("ltd", "limited", "llp", "plc", "cic")

# Words describing the kind of premises, dropped wherever they appear (longest first, so
# "group practice" goes before "practice").
PREMISES_WORDS = (
    "group practice",
    "medical practice",
    "medical centre",
    "health centre",
    "surgery",
    "practice",
)

# Words that tell two otherwise alike names apart: a near match that differs in one of these
# (or in a number) is a different organisation, not a typing variant.
DISTINGUISHING_WORDS = frozenset({
    "north", "south", "east", "west", "northern", "southern", "eastern", "western",
    "upper", "lower", "great", "little", "new", "old", "central", "inner", "outer",
    "i", "ii", "iii", "iv", "v", "vi",
})

_APOSTROPHES = re.compile(r"['\u2018\u2019\u02bc`]")
_NOT_WORD = re.compile(r"[^0-9a-z]+")
_PREMISES = re.compile(r"\b(?:" + "|".join(w.replace(" ", r"\s+") for w in PREMISES_WORDS) + r")\b")


def _plain_words(name: str | None) -> str:
    """Case-folded, accent-free words with punctuation removed and '&' read as 'and'."""
    text = unicodedata.normalize("NFKD", name or "")
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    text = text.replace("&", " and ")
    # "St John's" -> "st johns": an apostrophe joins, other punctuation separates ("Go-To-Doc").
    text = _APOSTROPHES.sub("", text)
    return " ".join(_NOT_WORD.sub(" ", text).split())


@functools.lru_cache(maxsize=65536)
def normalise_org_name(name: str | None) -> str:
    """The name reduced to the words that identify the organisation, for comparing names."""
    plain = _plain_words(name)
    words = plain.split()
    while words and words[-1] in LEGAL_SUFFIXES:
        words.pop()
    if words and words[0] == "the":
        words.pop(0)
    reduced = " ".join(_PREMISES.sub(" ", " ".join(words)).split())
    # "The Surgery" would otherwise become nothing and match every other name that does.
    return reduced or plain


def _tokens_that_distinguish(name: str) -> set[str]:
    return {w for w in name.split() if w in DISTINGUISHING_WORDS or any(c.isdecimal() for c in w)}


@functools.lru_cache(maxsize=65536)
def names_match(a: str | None, b: str | None) -> bool:
    """Whether two organisation names are close enough that they may be the same organisation."""
    left, right = normalise_org_name(a), normalise_org_name(b)
    if not left or not right:
        return False
    if left == right or left.replace(" ", "") == right.replace(" ", ""):
        return True
    if min(len(left), len(right)) < MIN_FUZZY_LENGTH:
        return False
    if _tokens_that_distinguish(left) != _tokens_that_distinguish(right):
        return False
    ratio = difflib.SequenceMatcher(None, left, right, autojunk=False).ratio()
    return ratio >= SIMILARITY_THRESHOLD
