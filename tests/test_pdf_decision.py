"""The decision audit record PDF: content, escaping, fonts, marking, metadata, page numbers, hash."""
from __future__ import annotations

import json
import re

import pdfplumber
import pytest

from register.pdf import builders, loaders
from register.pdf.flowables import para
from register.pdf.fonts import missing_glyphs

from .test_pdf_support import (
    EVIL_DESCRIPTION,
    NAMES,
    PRINTED_AT,
    SCRIPT_TITLE,
    build_consortium,
    flat,
    page_texts,
    png_is_not_blank,
    reader,
    render_page_png,
)

ORGANISATION = "Northvale GP Commissioning Consortium"



@pytest.fixture
def consortium(db):
    return build_consortium(db, extra_decisions=2)


def record_pdf(db, marking: str = "OFFICIAL", invariant: bool = True) -> bytes:
    record = loaders.decision_record(db, "MOB-2026-0001", organisation=ORGANISATION,
                                     printed_at=PRINTED_AT)
    return builders.build_decision_record(record, builders.PrintOptions(
        marking=marking, invariant=invariant, author="Board secretary"))


def test_every_section_is_printed(db, consortium):
    text = flat(" ".join(page_texts(record_pdf(db))))
    for expected in ("Options considered", "Offer to every practice", "Closest to patients",
                     "Providers who may benefit", "Riverside Surgery", "People taking part",
                     "Conflicts flagged", "Common interest", "Rulings",
                     "Must leave the meeting for the item", "Quorum",
                     "at least 3 voting members, including 1 lay", "3 voting members remain",
                     "Quorate", "Sign-off", "I confirm the conflicts were managed as recorded.",
                     "ab" * 32, "6 March 2026, 15:30 GMT", "Outcome and attendance",
                     "3 for, 0 against, 0 abstaining", "Breaches",
                     "Stayed in the room for the item", "Audit events for this decision",
                     "Submitted", "Checking this record", "flask --app register verify-audit"):
        assert expected in text, expected


def test_names_and_markup_are_printed_exactly_as_typed(db, consortium):
    data = record_pdf(db)
    text = flat(" ".join(page_texts(data)))
    for name in NAMES.values():
        assert name in text, name
    assert flat(SCRIPT_TITLE) in text
    assert flat(EVIL_DESCRIPTION) in text
    # Nothing typed became a link or an image.
    for page in reader(data).pages:
        for annotation in page.get("/Annots", []) or []:
            assert "/URI" not in str(annotation.get_object().get("/A", {}))
        resources = page["/Resources"]
        for xobject in (resources.get("/XObject") or {}).values():
            assert xobject.get_object()["/Subtype"] != "/Image"


def test_the_font_covers_the_names_people_have():
    assert missing_glyphs("Siân Wójcik Łukasz O'Connor O’Connor Gŵyn Prŷs Żabińska-Kąt £–") == []


def test_the_font_encodes_text_as_reportlabs_own_truetype_font_does():
    """The font's quick path for plain ASCII gives the codes ReportLab's own would, in
    documents that also print names with accents, control characters and nothing at all."""
    from reportlab.pdfbase.ttfonts import TTFont

    from register.pdf.fonts import FONT_DIR, RegisterFont

    path = str(FONT_DIR / "DejaVuSans.ttf")
    ours, theirs = RegisterFont("CheckOurs", path), TTFont("CheckTheirs", path)
    texts = ["Person 56", "Siân Wójcik", "", "Page 3 of ", "tab\there", "£4,443,888.00",
             "O’Connor (“Partner”)", "plain ASCII after the accents", "\u00a0nbsp", "~!{}|"]
    class Document:  # the state of each font is kept per document (weakly)
        pass

    for doc in (Document(), Document()):
        for text in texts + texts[::-1]:
            assert ours.splitString(text, doc) == theirs.splitString(text, doc), text


@pytest.mark.parametrize("typed, printed", [
    ("<Jones>", "<Jones>"),
    ("Smith & Jones", "Smith & Jones"),
    ("&amp; stays &amp;", "&amp; stays &amp;"),
    ('<a href="javascript:x">y</a>', '<a href="javascript:x">y</a>'),
    ('<img src="/etc/passwd"/>', '<img src="/etc/passwd"/>'),
])
def test_para_escapes_user_text_exactly_once(typed, printed):
    assert para(typed).getPlainText() == printed


def test_page_n_of_n_on_every_page(db, consortium):
    texts = [flat(t) for t in page_texts(record_pdf(db))]
    total = len(texts)
    assert total >= 2
    for number, text in enumerate(texts, start=1):
        assert f"Page {number} of {total}" in text


def test_marking_top_and_bottom_of_every_page(db, consortium):
    _check_marking(record_pdf(db), "OFFICIAL")


def test_official_sensitive_can_be_chosen(db, consortium):
    data = record_pdf(db, marking="OFFICIAL-SENSITIVE")
    _check_marking(data, "OFFICIAL-SENSITIVE")


def test_an_unknown_marking_is_refused():
    with pytest.raises(ValueError, match="security marking"):
        builders.PrintOptions(marking="SECRET")


def _check_marking(data: bytes, marking: str) -> None:
    import io

    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for page in pdf.pages:
            words = [w for w in page.extract_words() if w["text"] == marking]
            assert any(w["top"] < 40 for w in words), page.page_number
            assert any(w["bottom"] > page.height - 40 for w in words), page.page_number


def test_metadata_and_language(db, consortium):
    pdf = reader(record_pdf(db))
    meta = pdf.metadata
    assert meta.title.startswith("Decision audit record MOB-2026-0001")
    assert meta.author == "Board secretary"
    assert "MOB-2026-0001" in meta.subject
    assert pdf.trailer["/Root"]["/Lang"] == "en-GB"


def test_the_printed_hash_is_what_verify_audit_reports(app, db, consortium):
    last = flat(page_texts(record_pdf(db))[-1])
    result = app.test_cli_runner().invoke(args=["verify-audit"])
    head = re.search(r"Head hash: ([0-9a-f]{64})", result.output).group(1)
    count = re.search(r"(\d+) events verified", result.output).group(1)
    assert head in last
    assert f"the audit trail held {count} events" in last


def test_the_same_data_gives_the_same_bytes(db, consortium):
    assert record_pdf(db) == record_pdf(db)


def test_bookmarks_point_at_their_pages(db, consortium):
    from .test_pdf_support import outline_targets

    data = record_pdf(db)
    targets = outline_targets(data)
    texts = page_texts(data)
    assert targets, "no bookmarks"
    for title, page in targets.items():
        assert flat(title)[:30] in flat(texts[page - 1]), title
    assert targets["Checking this record"] == len(texts)


def test_a_page_renders_to_an_image(db, consortium, tmp_path):
    assert png_is_not_blank(render_page_png(record_pdf(db), 1, tmp_path))


def test_a_decision_without_reviews_still_prints(db, consortium):
    record = loaders.decision_record(db, "MOB-2026-0002", organisation=ORGANISATION,
                                     printed_at=PRINTED_AT)
    text = flat(" ".join(page_texts(builders.build_decision_record(record))))
    assert "No rulings recorded." in text
    assert "Not signed off." in text
    assert "No outcome recorded yet." in text


def test_an_unknown_reference_loads_nothing(db, consortium):
    assert loaders.decision_record(db, "MOB-1999-0001", organisation=ORGANISATION) is None


def test_escalations_print_as_sentences_and_a_long_one_breaks_across_pages(db, consortium):
    """A referral naming many conflicted members once made a table cell taller than a page and
    the record could not be printed; escalations print as the review page words them, and a
    replaced one says it no longer applies."""
    decision = db.execute("SELECT id FROM decisions WHERE reference = 'MOB-2026-0001'").fetchone()[0]
    conflicted = [{"name": f"Dr Person {n} Ap-Rhys Wójcik", "proposal": "leave_item",
                   "sentences": ["A long sentence about the interest held. " * 12]}
                  for n in range(1, 90)]
    rows = [
        ("refer", {"referred_to": "Primary Care Committee", "committee_id": 1,
                   "conflicted": conflicted}, "2026-03-07T10:00:00Z"),
        ("co_opt", {"co_opted": [{"person_id": 9, "name": "Dr Ewa Kowalczyk", "category": "gp",
                                  "category_label": "GP"}]}, None),
        ("chair_action", {"chair_id": 2, "chair_name": "Hugh Pemberton-Clarke",
                          "accountable_officer_id": 4,
                          "accountable_officer_name": "Siân Llewelyn"}, None),
    ]
    for kind, details, superseded in rows:
        db["escalations"].insert({"decision_id": decision, "kind": kind,
                                  "details": json.dumps(details), "recorded_at": "2026-03-06T10:00:00Z",
                                  "superseded_at": superseded})
    data = record_pdf(db)
    text = flat(" ".join(page_texts(data)))
    assert "Referred to Primary Care Committee, whose conflicted members are Dr Person 1" in text
    assert "Dr Person 89 Ap-Rhys Wójcik (must leave the meeting for the item)" in text
    assert "No longer applies: replaced 7 March 2026" in text
    assert "Co-opted Dr Ewa Kowalczyk (GP)" in text
    # With a row taller than a page in the table, rows may break across pages: check the words.
    assert "Chair and accountable officer action by Hugh Pemberton-Clarke and Siân" in text
    assert "Llewelyn, to be ratified at a quorate meeting." in text
    for internal in ("accountable officer id", "category_label", "'person_id'", "sentences"):
        assert internal not in text, internal


def test_a_value_longer_than_a_page_breaks_across_pages(db, consortium):
    db.execute("UPDATE decisions SET justification = ? WHERE reference = 'MOB-2026-0001'",
               ["A justification that goes on and on. " * 400])
    text = flat(" ".join(page_texts(record_pdf(db))))
    assert text.count("goes on and on") == 400


def test_contract_modifications_are_printed(db, consortium):
    import datetime as dt

    from register.decisions import modifications
    from register.rules.modifications import Modification

    decision = db.execute("SELECT id FROM decisions WHERE reference = 'MOB-2026-0001'").fetchone()[0]
    db["decisions"].update(decision, {"status": "published", "total_value_pence": 10_000_000,
                                      "contract_start": "2026-06-01", "contract_end": "2029-05-31"})
    assert "Contract modifications" not in flat(" ".join(page_texts(record_pdf(db))))
    modifications.add(db, decision, Modification(
        dt.date(2026, 9, 1), "Two more <clinic> sessions", 10_000_000, 13_000_000, None, "a"),
        "test")
    text = flat(" ".join(page_texts(record_pdf(db))))
    for expected in ("Contract modifications", "Two more <clinic> sessions",
                     "£100,000.00 to £130,000.00", "(a) Clearly provided for",
                     "Notice due by 1 October 2026",
                     "At award: £100,000.00, ending 31 May 2029. Now: £130,000.00"):
        assert expected in text, expected


def test_the_audit_events_are_in_the_words_of_the_decisions_page(db, consortium):
    """The printed events say what the page's history says: actions and fields in words, not
    the register's internal names."""
    text = flat(" ".join(page_texts(record_pdf(db))))
    events = text.split("Audit events for this decision", 1)[1].split("Checking this record")[0]
    assert "Started" in events and "Submitted" in events
    for internal in ("author_user_id", "created_at", "flags_changed", "committee_id", "submit "):
        assert internal not in events, internal
