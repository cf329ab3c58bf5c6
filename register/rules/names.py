"""Names as people type them: the one owner of "the same name", for organisations and for people.

Three questions are asked of names, each answered here and nowhere else:

- `name_key(name)`: are two organisation names *the same name*? Case, accents, punctuation,
  `&`/`+`/`and`, a leading `The` and the legal form at the end (`Limited`, `Ltd`, `CIC`,
  `Community Interest Company`, `LLP`, `PLC`) are set aside; premises words stay, so "North Road
  Surgery" and "North Road Practice" are different names. Files and forms find an organisation by
  it, and two organisations with no identifier may not share it.
- `normalise_org_name(name)` and `names_match(a, b)`: may two organisation names be *the same
  organisation written differently*? The same key with the premises words ("Surgery", "Medical
  Centre") also dropped, then a close fuzzy match (below).
- `person_name_key(name)`: are two people's names *the same name*? People's names have no legal
  form, no leading "The" and no premises words, and "Dr" or "Mrs" in front says nothing about who
  the person is, so the rule differs from the organisations': case, accents, punctuation, spacing
  and a title at the start are set aside, and nothing else. The people form asks before adding a
  second person of the same name. (Matching a person to the way Companies House writes a name,
  initials and middle names included, is `rules.person_names`.)

Interests are matched to providers by identifier wherever possible. A name typed into a free-text
interest ("GoToDoc Limited") can still be the provider on a decision ("Go-To-Doc Ltd"); a close match
here is only ever a *possible* conflict for a person to confirm or dismiss, so the rules aim to catch
the same organisation written differently while keeping neighbours ("North Road Surgery", "South Road
Surgery") apart.
"""
from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable, Sequence

from rapidfuzz import fuzz, process

SIMILARITY_THRESHOLD = 0.92
MIN_FUZZY_LENGTH = 6

# Legal forms said at the end of a name (longest first so "community interest company" goes whole):
# they say nothing about which organisation it is.
LEGAL_FORMS = (
    ("community", "interest", "company"),
    ("limited", "liability", "partnership"),
    ("public", "limited", "company"),
    ("limited",), ("ltd",), ("cic",), ("llp",), ("plc",), ("co",), ("company",),
)

# Titles said before a person's name: "Dr Aisha Rahman" is the same name as "Aisha Rahman".
PERSON_TITLES = frozenset({
    "dr", "doctor", "mr", "mrs", "ms", "miss", "mx", "prof", "professor", "sir", "dame", "rev",
    "revd", "reverend", "lord", "lady", "master",
})

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
    """Case-folded, accent-free words with punctuation removed and '&' or '+' read as 'and'."""
    text = unicodedata.normalize("NFKD", name or "")
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    text = text.replace("&", " and ").replace("+", " and ")
    # "St John's" -> "st johns": an apostrophe joins, other punctuation separates ("Go-To-Doc").
    text = _APOSTROPHES.sub("", text)
    return " ".join(_NOT_WORD.sub(" ", text).split())


@functools.lru_cache(maxsize=131072)
def name_key(name: str | None) -> str:
    """The organisation's name as a key: two names with the same key name the same organisation
    (unless an identifier of the same kind says otherwise). Empty for a blank name."""
    words = _plain_words(name).split()
    if len(words) > 1 and words[0] == "the":
        words.pop(0)
    trimmed = True
    while trimmed and len(words) > 1:
        trimmed = False
        for form in LEGAL_FORMS:
            if len(words) > len(form) and tuple(words[-len(form):]) == form:
                del words[-len(form):]
                trimmed = True
                break
    return " ".join(words)


@functools.lru_cache(maxsize=65536)
def normalise_org_name(name: str | None) -> str:
    """The name reduced to the words that identify the organisation, for comparing names loosely:
    its `name_key` without the premises words ("Surgery", "Medical Centre")."""
    key = name_key(name)
    reduced = " ".join(_PREMISES.sub(" ", key).split())
    # "The Surgery" would otherwise become nothing and match every other name that does.
    return reduced or _plain_words(name)


@functools.lru_cache(maxsize=65536)
def person_name_key(name: str | None) -> str:
    """A person's name as a key: two people whose names have the same key have the same name
    (case, accents, punctuation, spacing and a leading title set aside). Empty for a blank name."""
    words = _plain_words(name).split()
    while len(words) > 1 and words[0] in PERSON_TITLES:
        words.pop(0)
    return " ".join(words)


def _tokens_that_distinguish(name: str) -> set[str]:
    return {w for w in name.split() if w in DISTINGUISHING_WORDS or any(c.isdecimal() for c in w)}


def readings(name: str | None) -> tuple[str, ...]:
    """The ways a typed name may name an organisation: the whole text and, when it has commas
    ("Director, GoToDoc Limited"), each part on its own, so a role typed before the name does not
    hide it."""
    text = (name or "").strip()
    parts = [part.strip() for part in text.split(",") if part.strip()]
    return (text, *parts) if len(parts) > 1 else (text,)


def _same_organisation_name(left: str, right: str) -> bool:
    if not left or not right:
        return False
    if left == right or left.replace(" ", "") == right.replace(" ", ""):
        return True
    if min(len(left), len(right)) < MIN_FUZZY_LENGTH:
        return False
    if _tokens_that_distinguish(left) != _tokens_that_distinguish(right):
        return False
    # Indel similarity (twice the longest common subsequence over both lengths), 0-100.
    return fuzz.ratio(left, right) >= SIMILARITY_THRESHOLD * 100


@functools.lru_cache(maxsize=65536)
def _normalised_readings(name: str | None) -> tuple[tuple[str, str], ...]:
    """Each reading of a name, normalised, with its spaces taken out beside it."""
    return tuple((n, n.replace(" ", "")) for n in (normalise_org_name(r) for r in readings(name))
                 if n)


def names_matching(names: Sequence[str | None], targets: Iterable[str | None]) -> set[int]:
    """The positions of the names that match at least one target by `names_match`: the same
    answer as asking it of every pair, found with one rapidfuzz pass over the names per target
    (only the few names that pass the cheap test are asked in full)."""
    flat: list[str] = []
    owner: list[int] = []
    compact: dict[str, set[int]] = {}
    for index, name in enumerate(names):
        for norm, squeezed in _normalised_readings(name):
            flat.append(norm)
            owner.append(index)
            compact.setdefault(squeezed, set()).add(index)
    found: set[int] = set()
    if not flat:
        return found
    for target in {t for t in targets if t}:
        maybe: set[int] = set()
        for norm, squeezed in _normalised_readings(target):
            # names_match needs the same letters with spaces aside, or a ratio over the
            # threshold: anything else is left out here without a Python call per name.
            maybe |= compact.get(squeezed, set())
            maybe |= {owner[position] for _text, _score, position in process.extract(
                norm, flat, scorer=fuzz.ratio, score_cutoff=SIMILARITY_THRESHOLD * 100,
                limit=None)}
        found |= {index for index in maybe - found if names_match(names[index], target)}
    return found


@functools.lru_cache(maxsize=65536)
def names_match(a: str | None, b: str | None) -> bool:
    """Whether two organisation names are close enough that they may be the same organisation."""
    return any(_same_organisation_name(normalise_org_name(left), normalise_org_name(right))
               for left in readings(a) for right in readings(b))


# How alike two names are, in words, best first: the free-text page says these, not a number.
SIMILARITY_WORDS = (
    (100.0, "same name"),
    (SIMILARITY_THRESHOLD * 100, "close match"),
    (80.0, "similar name"),
    (0.0, "shares words"),
)

# Candidates below this score are not worth showing at all.
CANDIDATE_CUTOFF = 60.0


def similarity_words(score: float) -> str:
    """A similarity score (0-100) said in words: 'same name', 'close match', ..."""
    for floor, words in SIMILARITY_WORDS:
        if score >= floor:
            return words
    return SIMILARITY_WORDS[-1][1]


def best_candidates(name: str | None, choices: dict[int, str], limit: int = 3
                    ) -> list[tuple[int, float]]:
    """The choices (id -> organisation name) most like a typed name, best first, as (id, score
    0-100); a name that `names_match` accepts always scores at least the close-match threshold,
    and the same name (as `names_match` reads it) 100."""
    normalised = {key: normalise_org_name(value) for key, value in choices.items()}
    compact = {key: value.replace(" ", "") for key, value in normalised.items()}
    best: dict[int, float] = {}
    for reading in readings(name):
        typed = normalise_org_name(reading)
        if not typed:
            continue
        # Word order aside, and spaces aside ("GoToDoc" is "Go To Doc"): the better of the two.
        for query, pool, scorer in ((typed, normalised, fuzz.token_sort_ratio),
                                    (typed.replace(" ", ""), compact, fuzz.ratio)):
            for _text, score, key in process.extract(query, pool, scorer=scorer,
                                                     limit=limit * 3,
                                                     score_cutoff=CANDIDATE_CUTOFF):
                best[key] = max(best.get(key, 0.0), float(score))
    scored = []
    for key, score in best.items():
        if names_match(name, choices[key]):
            score = max(score, SIMILARITY_THRESHOLD * 100)
        scored.append((key, score))
    scored.sort(key=lambda item: (-item[1], choices[item[0]].casefold(), item[0]))
    return scored[:limit]
