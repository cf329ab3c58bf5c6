"""People's names as registers write them, and when a person in the register may be the person
Companies House records (a person with significant control of a company).

A match here is only ever a *possible* undeclared interest for a governance lead to confirm or
dismiss, so it aims to catch the same person written differently while keeping different people
apart. Two names match when, after normalising:

- case, accents and punctuation are set aside ("O'Brien" = "OBRIEN", "Smith-Jones" = "Smith Jones");
- titles at the start (Dr, Mr, Mrs, Ms, Miss, Mx, Prof, Professor, Sir, Dame, Rev, Lord, Lady) and
  letters after the name (MBBS, FRCGP, MRCGP, OBE, MBE, CBE, PhD, ...) are dropped;
- the surnames are the same (all of a double surname);
- the first forenames are the same (a full name, not an initial: "J Smith" is too many people);
- middle names are tolerated: left out on either side they do not matter; given on both sides, each
  middle name on the shorter side must agree, in order, with one on the longer side, where an
  initial agrees with any name it begins ("Asha R Patel" = "Asha Rani Patel", but not
  "Asha Meena Patel").

Month and year of birth, where both sides record them, must be equal: a different month or year
rules the match out (each compared only where both sides record it). Where either side does not
record them, the name alone is a possible match.
"""
from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata
from dataclasses import dataclass

TITLES = frozenset({
    "dr", "doctor", "mr", "mrs", "ms", "miss", "mx", "prof", "professor", "sir", "dame", "rev",
    "revd", "reverend", "lord", "lady", "master",
})
POST_NOMINALS = frozenset({
    "mbbs", "mbchb", "bm", "bch", "bchir", "frcgp", "mrcgp", "frcp", "mrcp", "frcs", "frcpsych",
    "obe", "mbe", "cbe", "kbe", "dbe", "phd", "md", "dm", "bsc", "msc", "ba", "ma", "mba", "rgn",
    "rn", "fca", "aca", "acca", "cipfa", "jp", "dl", "qc", "kc", "mp", "dphil", "dch", "drcog",
    "dfsrh", "frcog", "mfph", "ffph", "jr", "jnr", "sr", "snr",
})

_APOSTROPHES = re.compile(r"['\u2018\u2019\u02bc`]")
_NOT_WORD = re.compile(r"[^a-z]+")


def _words(text: str | None) -> list[str]:
    """Lower-case, accent-free words; an apostrophe joins, other punctuation separates."""
    plain = unicodedata.normalize("NFKD", text or "")
    plain = "".join(ch for ch in plain if not unicodedata.combining(ch)).casefold()
    plain = _APOSTROPHES.sub("", plain)
    return _NOT_WORD.sub(" ", plain).split()


@dataclass(frozen=True)
class PersonName:
    """A person's name split into given names (first forename, then middle names) and surname."""

    given: tuple[str, ...]
    surname: tuple[str, ...]

    @property
    def forename(self) -> str:
        """The first forename, or '' when none is known."""
        return self.given[0] if self.given else ""


@functools.lru_cache(maxsize=65536)
def parse_person_name(name: str | None) -> PersonName:
    """A full name as typed ("Dr Asha Rani Patel MBBS"): the last word is taken as the surname."""
    words = _words(name)
    while words and words[0] in TITLES:
        words.pop(0)
    while len(words) > 1 and words[-1] in POST_NOMINALS:
        words.pop()
    if not words:
        return PersonName((), ())
    return PersonName(tuple(words[:-1]), (words[-1],))


@functools.lru_cache(maxsize=65536)
def person_name_from_elements(forename: str | None, middle_name: str | None,
                              surname: str | None, name: str | None = None) -> PersonName:
    """A name from Companies House's name elements (which say which part is the surname); the
    whole name is parsed instead when the elements are missing."""
    surname_words = tuple(_words(surname))
    if not surname_words:
        return parse_person_name(name)
    given = [w for w in _words(forename) if w not in TITLES]
    given += _words(middle_name)
    return PersonName(tuple(given), surname_words)


def _middles_agree(left: tuple[str, ...], right: tuple[str, ...]) -> bool:
    shorter, longer = (left, right) if len(left) <= len(right) else (right, left)
    position = 0
    for word in shorter:
        while position < len(longer) and not _same_given(word, longer[position]):
            position += 1
        if position == len(longer):
            return False
        position += 1
    return True


def _same_given(a: str, b: str) -> bool:
    if a == b:
        return True
    if len(a) == 1 or len(b) == 1:
        return a[0] == b[0]
    return False


def names_may_be_same_person(a: PersonName, b: PersonName) -> bool:
    """Whether two people's names are close enough that they may be the same person."""
    if not a.surname or not b.surname or not a.given or not b.given:
        return False
    # A surname may be written as one word or two ("Smith-Jones", "Smith Jones", "SmithJones").
    if "".join(a.surname) != "".join(b.surname):
        # The register keeps one string per name: its last word stands for the surname, so a
        # double surname there leaves its first half among the given names.
        if not _ends_with(a, b) and not _ends_with(b, a):
            return False
        a, b = _aligned(a, b)
    if a.forename != b.forename or len(a.forename) < 2:
        return False
    return _middles_agree(a.given[1:], b.given[1:])


def _ends_with(short: PersonName, long: PersonName) -> bool:
    """Whether `long`'s surname is `short`'s given words' tail plus its surname."""
    need = len(long.surname) - len(short.surname)
    return (need > 0 and len(short.given) > need
            and short.given[-need:] + short.surname == long.surname)


def _aligned(a: PersonName, b: PersonName) -> tuple[PersonName, PersonName]:
    if _ends_with(a, b):
        need = len(b.surname) - len(a.surname)
        return PersonName(a.given[:-need], b.surname), b
    need = len(a.surname) - len(b.surname)
    return a, PersonName(b.given[:-need], a.surname)


# The earliest year of birth the register accepts for a person (people are checked against it).
EARLIEST_BIRTH_YEAR = 1900


def birth_year_ok(year: int, this_year: int | None = None) -> bool:
    """Whether a year of birth is one a living member of a board can have."""
    return EARLIEST_BIRTH_YEAR <= year <= (this_year or dt.date.today().year)


def births_agree(month_a: int | None, year_a: int | None, month_b: int | None,
                 year_b: int | None) -> bool:
    """Whether two months and years of birth allow the same person: a year, or a month, recorded
    on both sides and different rules it out; anything not recorded on one side does not."""
    if year_a is not None and year_b is not None and year_a != year_b:
        return False
    return month_a is None or month_b is None or month_a == month_b
