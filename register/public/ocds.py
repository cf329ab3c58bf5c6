"""The published decisions as Open Contracting (OCDS 1.1.5) data: a release package with one
contracting process per decision. Records in, a JSON-ready dict out: no database, no request.

Each decision is a contracting process with the ocid `<prefix>-<reference>` (stable: a reference
is never reused). Its releases follow its stages, each tagged by the stage it reports:

- planning: the need and why the route was chosen (the justification), with the buyer;
- tender: the procurement method and, in `procurementMethodDetails`, the regime's route;
- award: the provider awarded, the value and the contract term, and where the award was published;
- contract: the contract with its value and period;
- contractAmendment: only when the contract has been modified (`modifications`).

Parties are the buyer (the organisation running the register) and each supplier with its
identifiers: ODS code (GB-NHS), Companies House number (GB-COH) and charity number (GB-CHC)
(`register.rules.identifiers.SCHEMES`). Amounts are in pounds (GBP).
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from ..decisions.record import DecisionRecord, Organisation
from ..decisions.serialise import procurement_type
from ..rules.identifiers import SCHEMES
from ..rules.publication import ocid, procurement_method

OCDS_VERSION = "1.1"
LICENSE_URL = "http://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"
BUYER_ID = "buyer"


def _moment(day: dt.date | dt.datetime | None, *, end: bool = False) -> str | None:
    """A date or moment as the date-time OCDS asks for (UTC)."""
    if day is None:
        return None
    if isinstance(day, dt.datetime):
        moment = day if day.tzinfo else day.replace(tzinfo=dt.UTC)
        return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return f"{day.isoformat()}T{'23:59:59' if end else '00:00:00'}Z"


def _amount(pence: int | None) -> dict[str, Any] | None:
    if pence is None:
        return None
    pounds = Decimal(int(pence)) / 100
    return {"amount": int(pounds) if pounds == int(pounds) else float(pounds), "currency": "GBP"}


def _identifiers(org: Organisation) -> list[dict[str, str]]:
    found = []
    for kind, (_words, scheme) in SCHEMES.items():
        value = getattr(org, kind, None)
        if value:
            found.append({"scheme": scheme, "id": value, "legalName": org.name})
    return found


def party_id(org: Organisation) -> str:
    """A supplier's party id: its first identifier with its scheme, e.g. 'GB-NHS-A81001'."""
    identifiers = _identifiers(org)
    if identifiers:
        return f"{identifiers[0]['scheme']}-{identifiers[0]['id']}"
    return f"supplier-{org.id}"


def supplier_party(org: Organisation, roles: Sequence[str] = ("supplier",)) -> dict[str, Any]:
    """A provider as an OCDS party, with its identifiers and registered address."""
    identifiers = _identifiers(org)
    party: dict[str, Any] = {"id": party_id(org), "name": org.name, "roles": list(roles)}
    if identifiers:
        party["identifier"] = identifiers[0]
        if identifiers[1:]:
            party["additionalIdentifiers"] = identifiers[1:]
    address = {key: value for key, value in (("streetAddress", org.registered_address),
                                             ("postalCode", org.postcode)) if value}
    if address:
        party["address"] = {**address, "countryName": "United Kingdom"}
    return party


def _is_url(text: str) -> bool:
    return text.startswith(("https://", "http://"))


def intention_document(rec: DecisionRecord) -> dict[str, Any] | None:
    """The PSR intention to award notice as an award document, with the standstill end."""
    notice = rec.intention_notice if rec.has_standstill else None
    if notice is None or rec.standstill_end is None:
        return None
    document: dict[str, Any] = {
        "id": f"{rec.reference}-intention-notice", "documentType": "awardNotice",
        "title": "Intention to award notice",
        "description": (f"Standstill ended {rec.standstill_end.isoformat()}"
                        + (f"; notice reference {notice.reference}" if notice.reference else "")
                        + ("" if _is_url(notice.published_where)
                           else f"; published at {notice.published_where}")),
        "datePublished": _moment(notice.published_on)}
    if _is_url(notice.published_where):
        document["url"] = notice.published_where
    return document


def _contract_status(rec: DecisionRecord, today: dt.date) -> str:
    if rec.contract_start and today < rec.contract_start:
        return "pending"
    if rec.contract_end and today > rec.contract_end:
        return "terminated"
    return "active"


def releases_for(rec: DecisionRecord, prefix: str, organisation: str, today: dt.date,
                 modifications: Sequence[Mapping[str, Any]] = ()) -> list[dict[str, Any]]:
    """The releases of one published decision, one per stage it has reached."""
    process_id = ocid(prefix, rec.reference)
    buyer = {"id": BUYER_ID, "name": organisation}
    buyer_party = {**buyer, "roles": ["buyer"]}
    awarded = rec.awarded_provider
    providers = list(rec.providers)
    if awarded is not None and all(p.id != awarded.id for p in providers):
        providers.append(awarded)
    parties = [buyer_party, *(
        supplier_party(p, ("tenderer", "supplier") if awarded and p.id == awarded.id
                       else ("tenderer",)) for p in providers)]
    suppliers = [supplier_party(awarded)] if awarded else []
    period = {key: value for key, value in (
        ("startDate", _moment(rec.contract_start)),
        ("endDate", _moment(rec.contract_end, end=True))) if value}
    decided_at = rec.outcome.recorded_at if rec.outcome and rec.outcome.recorded_at else \
        rec.meeting_date
    published_at = rec.award_published_on or rec.meeting_date

    def release(stage: str, when: dt.date | dt.datetime | None,
                **sections: Any) -> dict[str, Any]:
        return {"ocid": process_id, "id": f"{process_id}-{stage}",
                "date": _moment(when) or _moment(rec.meeting_date), "tag": [stage],
                "initiationType": "tender", "language": "en", "parties": parties,
                "buyer": buyer, **sections}

    tender: dict[str, Any] = {
        "id": f"{rec.reference}-tender", "title": rec.title,
        "description": rec.description or None,
        "status": "complete",
        "mainProcurementCategory": "services",
        "procurementMethodDetails": procurement_type(rec.regime, rec.process) or None,
        "procurementMethodRationale": rec.justification or None,
        "value": _amount(rec.total_value_pence),
        "tenderers": [{"id": party_id(p), "name": p.name} for p in providers],
    }
    if (method := procurement_method(rec.regime, rec.process)) is not None:
        tender["procurementMethod"] = method
    tender = {key: value for key, value in tender.items() if value not in (None, [])}

    award_id = f"{rec.reference}-award"
    award: dict[str, Any] = {
        "id": award_id, "title": rec.title, "status": "active",
        "date": _moment(decided_at), "value": _amount(rec.total_value_pence),
        "suppliers": [{"id": p["id"], "name": p["name"]} for p in suppliers],
        "contractPeriod": period or None,
    }
    if rec.award_published_where:
        document = {"id": f"{rec.reference}-award-notice", "documentType": "awardNotice",
                    "title": "Where the award was published",
                    "datePublished": _moment(rec.award_published_on)}
        if _is_url(rec.award_published_where):
            document["url"] = rec.award_published_where
        else:
            document["description"] = rec.award_published_where
        award["documents"] = [{k: v for k, v in document.items() if v is not None}]
    intention = intention_document(rec)
    if intention is not None:
        award["documents"] = [intention, *award.get("documents", [])]
    award = {key: value for key, value in award.items() if value not in (None, [])}

    contract: dict[str, Any] = {
        "id": f"{rec.reference}-contract", "awardID": award_id, "title": rec.title,
        "status": _contract_status(rec, today), "value": _amount(rec.total_value_pence),
        "period": period or None,
    }
    out = [
        release("planning", rec.submitted_at or rec.meeting_date,
                planning={"rationale": rec.justification or rec.description or rec.title}),
        release("tender", rec.meeting_date, tender=tender),
        release("award", published_at, awards=[award]),
    ]
    if awarded is not None:
        contract = {key: value for key, value in contract.items() if value is not None}
        out.append(release("contract", published_at, contracts=[contract]))
        if modifications:
            amended = {**contract, "amendments": [
                {key: value for key, value in (
                    ("id", str(m.get("id") or n)), ("date", _moment(m.get("date"))),
                    ("rationale", m.get("ground")), ("description", m.get("description")))
                 if value} for n, m in enumerate(modifications, start=1)]}
            # The amended contract carries its value and end date after the modifications.
            after = [m["value_after_pence"] for m in modifications
                     if m.get("value_after_pence") is not None]
            if after:
                amended["value"] = _amount(after[-1])
            ends = [m["new_end"] for m in modifications if m.get("new_end")]
            if ends and period:
                amended["period"] = {**period, "endDate": _moment(ends[-1], end=True)}
            last = max((m["date"] for m in modifications if m.get("date")), default=None)
            out.append(release("contractAmendment", last or published_at, contracts=[amended]))
    return out


def release_package(records: Iterable[DecisionRecord], *, prefix: str, organisation: str,
                    uri: str, published: dt.datetime, today: dt.date,
                    modifications: Mapping[int, Sequence[Mapping[str, Any]]] | None = None,
                    ) -> dict[str, Any]:
    """The release package of these published decisions (OCDS 1.1.5)."""
    modifications = modifications or {}
    return {
        "uri": uri,
        "version": OCDS_VERSION,
        "publishedDate": _moment(published),
        "publisher": {"name": organisation},
        "license": LICENSE_URL,
        "releases": [release for rec in records
                     for release in releases_for(rec, prefix, organisation, today,
                                                 modifications.get(rec.id, ()))],
    }
