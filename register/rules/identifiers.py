"""What identifies an organisation: its codes and numbers in one written form, and its name as a key.

An organisation is known by any of its identifiers. Each is normalised here, once, so that the same
organisation typed differently is found as one:

- ODS code: trimmed and upper-cased (`a81001 ` -> `A81001`).
- Companies House number: eight characters; digits are padded with leading zeros
  (`1234567` -> `01234567`) and a two-letter prefix keeps six digits (`sc123456` -> `SC123456`).
- Charity number, by register: England and Wales (digits, `1123456`), Scotland (`SC` then six
  digits, `SC012345`), Northern Ireland (`NIC` then six digits, `NIC100002`).
- Name: `rules.names.name_key`, the one definition of "the same name" (case, accents,
  punctuation, `&`/`and`, a leading `The` and the legal form at the end set aside; premises words
  such as "Surgery" stay).

Two identifiers of the same kind that differ are never the same organisation.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .text import is_ods_code, normalise_code

_COMPANIES_HOUSE = re.compile(r"^(?:([A-Z]{2})([0-9]{1,6})|([0-9]{1,8}))$")
_CHARITY_EW = re.compile(r"^[0-9]{6,7}$")
_CHARITY_SC = re.compile(r"^SC0?([0-9]{5})$")
_CHARITY_NI = re.compile(r"^NIC([0-9]{6})$")
_SQUEEZED_OUT = re.compile(r"[\s.\-/]")

COMPANIES_HOUSE_RULE = ("must be 8 numbers, or 2 letters and 6 numbers, like 01234567 or SC123456 "
                        "(shorter numbers are padded with zeros)")
CHARITY_RULE = ("must be a charity number: 6 or 7 numbers for England and Wales (1123456), SC and 6 "
                "numbers for Scotland (SC012345), or NIC and 6 numbers for Northern Ireland "
                "(NIC100002)")
ODS_RULE = "must be 3 to 10 letters and numbers, like A81001, U12345 or RX1"

SCHEMES = {
    # identifier kind -> (words, Open Contracting organisation identifier scheme)
    "ods_code": ("ODS code", "GB-NHS"),
    "companies_house_number": ("Companies House number", "GB-COH"),
    "charity_number": ("charity number", "GB-CHC"),
}


class IdentifierError(ValueError):
    """An identifier that does not have the shape of its kind; the message says why, in words."""


def _squeezed(value: str | None) -> str:
    """Upper-cased with spaces, dots and hyphens taken out, as people write numbers."""
    return _SQUEEZED_OUT.sub("", normalise_code(value))


def companies_house_number(value: str | None) -> str | None:
    """The Companies House number in its written form, None for blank; IdentifierError if bad."""
    text = _squeezed(value)
    if not text:
        return None
    match = _COMPANIES_HOUSE.match(text)
    if not match:
        raise IdentifierError(f"Companies House number '{value.strip()}' {COMPANIES_HOUSE_RULE}")
    prefix, prefixed_digits, digits = match.groups()
    if prefix:
        return prefix + prefixed_digits.zfill(6)
    if int(digits) == 0:
        raise IdentifierError(f"Companies House number '{value.strip()}' {COMPANIES_HOUSE_RULE}")
    return digits.zfill(8)


def charity_number(value: str | None) -> str | None:
    """The charity number in its written form (register by prefix), None for blank; or
    IdentifierError if it has no charity register's shape."""
    text = _squeezed(value)
    if not text:
        return None
    # "1123456-1" is a linked charity of 1123456; the register is of the main charity.
    if _CHARITY_EW.match(text) and not text.startswith("0"):
        return text
    if match := _CHARITY_SC.match(text):
        return "SC0" + match.group(1)
    if match := _CHARITY_NI.match(text):
        return "NIC" + match.group(1)
    raise IdentifierError(f"Charity number '{value.strip()}' {CHARITY_RULE}")


def charity_register(number: str | None) -> str | None:
    """Which register a normalised charity number belongs to, in words."""
    if not number:
        return None
    if number.startswith("SC"):
        return "Scottish Charity Regulator"
    if number.startswith("NIC"):
        return "Charity Commission for Northern Ireland"
    return "Charity Commission for England and Wales"


def ods_code(value: str | None) -> str | None:
    """The ODS code in its written form, None for blank; IdentifierError if it has no ODS shape."""
    text = normalise_code(value)
    if not text:
        return None
    if not is_ods_code(text):
        raise IdentifierError(f"ODS code '{value.strip()}' {ODS_RULE}")
    return text


NORMALISERS = {
    "ods_code": ods_code,
    "companies_house_number": companies_house_number,
    "charity_number": charity_number,
}


@dataclass(frozen=True)
class Named:
    """An organisation as a person or a file names it: any of its identifiers and its name."""

    ods_code: str | None = None
    companies_house_number: str | None = None
    charity_number: str | None = None
    name: str | None = None

    @classmethod
    def parse(cls, *, ods_code: str | None = None, companies_house_number: str | None = None,
              charity_number: str | None = None, name: str | None = None) -> Named:
        """Normalise what was typed; IdentifierError names the first identifier with a bad shape."""
        return cls(ods_code=NORMALISERS["ods_code"](ods_code),
                   companies_house_number=NORMALISERS["companies_house_number"](
                       companies_house_number),
                   charity_number=NORMALISERS["charity_number"](charity_number),
                   name=(name or "").strip() or None)

    def identifiers(self) -> dict[str, str]:
        """The identifiers given, by kind (column name)."""
        return {kind: value for kind in SCHEMES if (value := getattr(self, kind))}

    def is_empty(self) -> bool:
        """Whether nothing at all names an organisation."""
        return not self.identifiers() and not self.name


# ---- one organisation named in one cell of a file ----------------------------------------------

# `member_of`, `provider_ods` and the like name an organisation in one cell. A prefix says which
# identifier the value is; a value without one is an ODS code when it has an ODS code's shape and
# the register knows that code, and otherwise the organisation's exact name.
REFERENCE_PREFIXES = {
    "ods": "ods_code",
    "companies_house": "companies_house_number",
    "charity": "charity_number",
    "name": "name",
}
REFERENCE_RULE = ("name an organisation by its ODS code, or as companies_house:01234567, "
                  "charity:1123456 or name:Its Exact Name")


@dataclass(frozen=True)
class Reference:
    """An organisation as one cell names it: the ways to try, in order, and the text as typed."""

    text: str
    tries: tuple[Named, ...]
    prefixed: bool


def parse_organisation_reference(text: str) -> Reference:
    """Read `prefix:value` or a bare value; IdentifierError when the value has the wrong shape."""
    text = text.strip()
    prefix, colon, value = text.partition(":")
    kind = REFERENCE_PREFIXES.get(prefix.strip().lower().replace(" ", "_")) if colon else None
    if kind is not None:
        value = value.strip()
        if not value:
            raise IdentifierError(f"'{text}' has nothing after the colon: {REFERENCE_RULE}")
        return Reference(text, (Named.parse(**{kind: value}),), True)
    tries = []
    if _ODS_SHAPE.match(normalise_code(text)):
        tries.append(Named(ods_code=normalise_code(text)))
    tries.append(Named(name=text))
    return Reference(text, tuple(tries), False)


_ODS_SHAPE = re.compile(r"^[A-Z0-9]{3,10}$")


def reference_for(ods_code: str | None, companies_house_number: str | None,
                  charity_number: str | None, name: str) -> str:
    """How a file names an organisation so that reading it back finds the same one: its ODS code,
    else its Companies House number, else its charity number, else its name."""
    if ods_code:
        return ods_code
    if companies_house_number:
        return f"companies_house:{companies_house_number}"
    if charity_number:
        return f"charity:{charity_number}"
    prefix, colon, _ = name.partition(":")
    if (colon and prefix.strip().lower().replace(" ", "_") in REFERENCE_PREFIXES) \
            or _ODS_SHAPE.match(normalise_code(name)):
        return f"name:{name}"
    return name
