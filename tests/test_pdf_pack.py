"""The board audit pack PDF: cover, contents links and bookmarks, summary, register (landscape, header
on every page), flagged decisions, register of interests as it stood, breaches and verification."""
from __future__ import annotations

import datetime as dt
import re

import pytest

from register.pdf import builders, loaders
from register.pdf.flowables import register_row

from .test_pdf_support import (
    NAMES,
    PRINTED_AT,
    build_consortium,
    flat,
    link_targets,
    outline_targets,
    page_texts,
    png_is_not_blank,
    reader,
    render_page_png,
)

ORGANISATION = "Northvale GP Commissioning Consortium"



@pytest.fixture
def consortium(db):
    return build_consortium(db, extra_decisions=20)


def pack_pdf(db, marking: str = "OFFICIAL", date_to: dt.date = dt.date(2026, 3, 31)) -> bytes:
    committee = loaders.committee_by_name(db, "PRIMARY CARE COMMITTEE")
    pack = loaders.audit_pack(db, committee, dt.date(2026, 1, 1), date_to,
                              organisation=ORGANISATION, prepared_by="Ann Secretary",
                              purpose="Assurance for the board", recommendation="Note the pack",
                              marking=marking, printed_at=PRINTED_AT)
    return builders.build_audit_pack(pack, builders.PrintOptions(marking=marking, invariant=True,
                                                                 author="Ann Secretary"))


@pytest.fixture
def pack(db, consortium):
    return pack_pdf(db)


def test_cover_sheet(pack):
    first = flat(page_texts(pack)[0])
    for expected in ("Board audit pack: Primary Care Committee", "1 January 2026 to 31 March 2026",
                     "Ann Secretary", "2 April 2026", "Assurance for the board", "Note the pack",
                     "OFFICIAL"):
        assert expected in first, expected


def test_running_title_keeps_the_whole_period(db, consortium):
    """A long committee name and period: the portrait running title shortens the dates rather
    than cutting the period off."""
    db.execute("UPDATE committees SET name = 'Primary Care Commissioning Committee' "
               "WHERE name = 'Primary Care Committee'")
    committee = loaders.committee_by_name(db, "Primary Care Commissioning Committee")
    pack = loaders.audit_pack(db, committee, dt.date(2026, 1, 1), dt.date(2026, 12, 31),
                              organisation=ORGANISATION, prepared_by="Ann Secretary",
                              purpose="Assurance", recommendation="Note",
                              printed_at=PRINTED_AT)
    data = builders.build_audit_pack(pack, builders.PrintOptions(invariant=True))
    contents = flat(page_texts(data)[1])
    assert "Primary Care Commissioning Committee, 1 Jan 2026 to 31 Dec 2026" in contents
    assert "…" not in contents


def test_page_count_and_last_page_number(pack):
    texts = page_texts(pack)
    assert len(texts) == len(reader(pack).pages) > 10
    assert f"Page {len(texts)} of {len(texts)}" in flat(texts[-1])


def test_bookmarks_point_at_the_right_pages(pack):
    texts = page_texts(pack)
    targets = outline_targets(pack)
    for title in ("Contents", "Summary", "Register of procurement decisions", "Flagged decisions",
                  "Register of interests of the committee's members", "Breaches found",
                  "Checking this record"):
        assert title in targets, title
        page_text = flat(texts[targets[title] - 1])
        header_free = page_text.split("OFFICIAL", 2)[-1]
        assert title in header_free, title
    flagged = [t for t in targets if t.startswith("MOB-2026-0001")]
    assert flagged and targets[flagged[0]] >= targets["Flagged decisions"]


def test_contents_links_go_where_the_bookmarks_go(pack):
    targets = outline_targets(pack)
    links = link_targets(pack, targets["Contents"])
    expected = {page for title, page in targets.items() if title != "Contents"}
    # Each contents line links twice (its words and its page number), both to its section.
    assert set(links) == expected
    assert len(links) == 2 * (len(targets) - 1)


def test_contents_page_numbers_are_the_pages_the_headings_are_on(pack):
    """The contents is laid out once, before its numbers are known: each printed number (filled
    in when the file is saved) is the page its heading is on."""
    targets = outline_targets(pack)
    contents = flat(page_texts(pack)[targets["Contents"] - 1]).split("Contents", 1)[1]
    printed = {title: int(number) for number, title in re.findall(
        r"\.\s*(\d+)\s*([^.]+?)(?=\s*\.|$)", contents)}
    expected = {title: page for title, page in targets.items() if title != "Contents"}
    assert printed == expected
    assert len(set(expected.values())) > 5  # the numbers differ, so a wrong one would show


def test_progress_is_told_each_page_as_it_is_done(db, consortium):
    committee = loaders.committee_by_name(db, "PRIMARY CARE COMMITTEE")
    loaded = loaders.audit_pack(db, committee, dt.date(2026, 1, 1), dt.date(2026, 3, 31),
                                organisation=ORGANISATION, prepared_by="Ann Secretary",
                                purpose="Assurance", recommendation="Note",
                                printed_at=PRINTED_AT)
    done: list[int] = []
    data = builders.build_audit_pack(loaded, builders.PrintOptions(invariant=True),
                                     progress=done.append)
    # One layout pass: each page reported once, in order, up to the pages printed.
    assert done == list(range(1, len(reader(data).pages) + 1))


def test_register_is_landscape_with_its_header_on_every_page(pack):
    pdf = reader(pack)
    texts = page_texts(pack)
    start = outline_targets(pack)["Register of procurement decisions"]
    end = outline_targets(pack)["Flagged decisions"]
    assert end - start >= 2, "the register should run over several pages"
    for number in range(start, end):
        box = pdf.pages[number - 1].mediabox
        assert box.width > box.height, number
        text = flat(texts[number - 1])
        assert "Contract or service title" in text and "Actions to mitigate conflicts" in text
    # Page 2 of the table starts with the header row, then carries on with decisions.
    second = flat(texts[start])
    assert second.index("Contract or service title") < second.index("MOB-2026-")
    portrait = pdf.pages[end - 1].mediabox
    assert portrait.width < portrait.height


def test_every_decision_is_in_the_register(pack):
    text = flat(" ".join(page_texts(pack)))
    for number in range(1, 22):
        assert f"MOB-2026-{number:04d}" in text, number


def test_flagged_decision_in_full(pack):
    targets = outline_targets(pack)
    texts = page_texts(pack)
    section = flat(" ".join(texts[targets["Flagged decisions"] - 1:
                                  targets["Register of interests of the committee's members"] - 1]))
    for expected in ("Anticoagulation <script>alert(1)</script> service", "Rulings", "Quorate",
                     "I confirm the conflicts were managed as recorded.", NAMES["gp1"]):
        assert expected in section, expected


def test_register_of_interests_as_it_stood(pack):
    targets = outline_targets(pack)
    texts = page_texts(pack)
    section = flat(" ".join(texts[targets["Register of interests of the committee's members"] - 1:
                                  targets["Breaches found"] - 1]))
    assert "As it stood on 31 March 2026" in section
    assert "Recent Federation Ltd" in section  # ended two months before: still shown
    assert "Old Federation Ltd" not in section  # ended nine months before: left out
    assert "Mistake Ltd" not in section  # withdrawn
    assert "Withheld" in section and "Secret Clinic Ltd" not in section
    assert "Staff Only Ltd" not in section  # not a member of the committee
    assert "No interests declared" in section


def test_withheld_entries_shown_in_full_when_official_sensitive(db, consortium):
    text = flat(" ".join(page_texts(pack_pdf(db, marking="OFFICIAL-SENSITIVE"))))
    assert "Secret Clinic Ltd" in text
    assert "(Withheld from publication)" in text


def test_breaches_found(pack):
    targets = outline_targets(pack)
    section = flat(page_texts(pack)[targets["Breaches found"] - 1])
    # Arose 5 January, declared 20 March: 46 days after the 28 allowed.
    assert NAMES["exec"] in section and "46" in section
    assert "Ruled out of the room but recorded as present" in section
    assert NAMES["gp2"] in section and "Must leave the meeting for the item" in section
    assert "Missing declaration" in section


def test_verification_page(app, db, pack):
    last = flat(page_texts(pack)[-1])
    result = app.test_cli_runner().invoke(args=["verify-audit"])
    head = re.search(r"Head hash: ([0-9a-f]{64})", result.output).group(1)
    assert head in last
    assert "verify-audit" in last


def test_same_data_same_bytes(db, consortium):
    assert pack_pdf(db) == pack_pdf(db)


def test_pages_render_to_images(pack, tmp_path):
    start = outline_targets(pack)["Register of procurement decisions"]
    for page in (1, start):
        assert png_is_not_blank(render_page_png(pack, page, tmp_path)), page


def test_an_empty_period_still_prints(db, consortium):
    committee = loaders.committee_by_name(db, "Primary Care Committee")
    pack = loaders.audit_pack(db, committee, dt.date(2020, 1, 1), dt.date(2020, 3, 31),
                              organisation=ORGANISATION, prepared_by="A", purpose="P",
                              recommendation="R", printed_at=PRINTED_AT)
    text = flat(" ".join(page_texts(builders.build_audit_pack(pack))))
    assert "No decisions were recorded for this committee in the period." in text
    assert "No decision in the period was flagged" in text


def _row(status="decided", submitted=None, signed=None, flagged=False, choice="Make",
         value=100):
    return {"reference": "MOB-2026-0001", "title": "T", "status": status, "flagged": flagged,
            "choice_short": choice, "submitted_at": submitted, "signed_at": signed,
            "total_value_pence": value}


def test_summary_figures():
    rows = [
        # Friday to the next Friday: 5 working days.
        _row(submitted="2026-03-06T09:00:00+00:00", signed="2026-03-13T09:00:00+00:00",
             flagged=True),
        # Monday to Wednesday: 2 working days.
        _row(submitted="2026-03-09T09:00:00+00:00", signed="2026-03-11T09:00:00+00:00",
             flagged=True, choice="Buy"),
        _row(status="awaiting_review", submitted="2026-03-02T09:00:00+00:00", flagged=True,
             value=None),
        _row(status="awaiting_review", submitted="2026-03-30T09:00:00+00:00", flagged=True),
    ]
    figures = builders.pack_summary(rows, dt.date(2026, 3, 31))
    assert figures["count"] == 4 and figures["flagged"] == 4
    assert figures["flagged_share"] == "100%"
    assert figures["total_value"] == "£3.00"
    assert figures["working_days"] == [5, 2]
    assert figures["working_days_text"].startswith("median 3.5, longest 5")
    assert [o[0] for o in figures["overdue"]] == ["MOB-2026-0001"]
    assert figures["overdue"][0][3] == 21
    assert ["Awaiting governance review", 2] in figures["by_status"]
    assert figures["by_choice"] == [["Buy", 1], ["Make", 3]]


def test_register_table_has_the_contract_term_and_the_conflicts_in_words(db, consortium):
    db["decisions"].update(consortium["flagged"], {"contract_start": "2026-06-01",
                                                   "contract_end": "2029-05-31"})
    pack = pack_pdf(db)
    targets = outline_targets(pack)
    texts = page_texts(pack)
    table = flat(" ".join(texts[targets["Register of procurement decisions"] - 1:
                                targets["Flagged decisions"] - 1]))
    assert "Contract term" in table
    assert "Term 1 June 2026 to 31 May 2029" in table
    # Who, what interest (the flag's sentence), and how it was managed (the ruling and reason).
    flagged = next(f for f in loaders.record_model.load_record(db, consortium["flagged"]).flags
                   if f.person_id == consortium["people"]["gp2"] and f.severity == "conflict")
    assert flat(flagged.sentence)[:40] in table
    assert (f"{NAMES['gp2']}: Must leave the meeting for the item (Home practice is the largest "
            f"provider)") in table
    assert f"{NAMES['gp1']}: May take part in the discussion but not the vote" in table


def test_a_register_row_taller_than_a_page_breaks_across_pages(db, consortium):
    db["decisions"].update(consortium["flagged"], {
        "justification": " ".join(f"reason{n}" for n in range(900)) + " THE-END"})
    pack = pack_pdf(db)
    targets = outline_targets(pack)
    texts = page_texts(pack)
    table = flat(" ".join(texts[targets["Register of procurement decisions"] - 1:
                                targets["Flagged decisions"] - 1]))
    assert "reason0 " in table and "THE-END" in table


def test_a_flagged_decision_with_no_one_conflicted_names_its_flags_not_none_noted(db):
    """A member practice is the provider, and no one taking part holds an interest: the
    decision is flagged, and the register's conflicts cell says why instead of "None noted"."""
    from .conftest import add_committee, add_decision, add_organisation

    practice = add_organisation(db, "Larkspur Surgery", ods_code="Y90077", is_member_practice=1)
    decision = add_decision(db, add_committee(db), providers=(practice,))
    rec = loaders.record_model.load_record(db, decision)
    assert rec.flagged and not rec.conflicted
    [row] = loaders._register_rows([rec])
    cells = flat(" ".join(p.getPlainText() for p in register_row(row)[5:7]))
    assert "None noted" not in cells
    assert any(f.sentence and flat(f.sentence) in cells for f in rec.flags)
    assert "Larkspur Surgery" in cells
    assert "No one taking part is conflicted; for the governance review" in cells
