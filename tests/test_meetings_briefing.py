"""A meeting's outputs: the chair's briefing (page and PDF), the members' register of interests
for the meeting, and the minutes' wording (page and Word document), each checked against the
record built in a real database, for every role, and never writing."""
from __future__ import annotations

import io
import re
import shutil
import subprocess
from types import SimpleNamespace

import docx
import pytest
from pypdf import PdfReader

from register import audit
from register.interests import queries as interest_queries
from register.rules.rulings import RULINGS
from register.timeutil import utcnow_iso

from . import test_reviews
from .conftest import add_interest, add_user, data_version
from .reading import words as text
from .test_reviews import reference, review_form, sign_off_data, submitted

MEETING_DATE = "2026-03-10"


@pytest.fixture
def world(db):
    """The review tests' Primary Care Committee (worked example 1, conflicted): lay chair Hugh
    Pemberton, vice-chair Eleanor Fairweather, 7 voting members, quorum 4 with a lay member;
    Dr Asha Patel's home practice is the provider, Dr Niamh O'Connor holds shares in it."""
    return test_reviews.world.__wrapped__(db)


@pytest.fixture
def lead(as_role):
    return as_role("governance")


def meeting_for(db, committee: int, day: str = MEETING_DATE) -> int:
    """The committee's meeting on a day, made if there is none."""
    found = db.execute("SELECT id FROM meetings WHERE committee_id = ? AND meeting_date = ?",
                       [committee, day]).fetchone()
    if found:
        return found[0]
    now = utcnow_iso()
    return db["meetings"].insert({"committee_id": committee, "meeting_date": day,
                                  "starts_at": "10:00", "ends_at": "12:00",
                                  "place": "Board room", "created_at": now,
                                  "updated_at": now}).last_pk


def add_item(db, meeting: int, title: str, decision: int | None = None) -> int:
    """An agenda item at the end of the agenda (a decision already on it stays where it is)."""
    if decision is not None:
        found = db.execute("SELECT id FROM agenda_items WHERE decision_id = ?",
                           [decision]).fetchone()
        if found:
            return found[0]
    position = db.execute("SELECT coalesce(max(position), 0) + 1 FROM agenda_items"
                          " WHERE meeting_id = ?", [meeting]).fetchone()[0]
    now = utcnow_iso()
    return db["agenda_items"].insert({"meeting_id": meeting, "position": position,
                                      "title": title, "decision_id": decision,
                                      "created_at": now, "updated_at": now}).last_pk


def declare(db, item: int, person: int, **over) -> None:
    """A declaration recorded for an item, as the secretary records it in the room."""
    row = {"agenda_item_id": item, "person_id": person, "declared": 1, "words": "",
           "left_at": None, "returned_at": None, "recorded_at": utcnow_iso()}
    row.update(over)
    db["item_declarations"].insert(row)


def rule(lead, decision_ref: str, **rulings: str) -> None:
    """Rulings saved on the review page by the governance lead (person id -> ruling)."""
    data = review_form(lead, decision_ref, action="save",
                       **{f"ruling_{pid}": ruling for pid, ruling in rulings.items()})
    response = lead.post(f"/reviews/{decision_ref}", data=data)
    assert response.status_code == 302, text(response)[:800]


def conflict_sentence(db, decision: int, person: int) -> str:
    """The stored sentences of a person's conflict flags, in order, as the review page shows
    them."""
    return " ".join(row[0] for row in db.execute(
        "SELECT sentence FROM decision_flags WHERE decision_id = ? AND person_id = ?"
        " AND severity = 'conflict' ORDER BY position", [decision, person]).fetchall())


@pytest.fixture
def agenda(db, world):
    """A meeting with a non-decision item (1) and the conflicted decision (2)."""
    decision = submitted(db, world)
    meeting = meeting_for(db, world.committee)
    db.execute("DELETE FROM agenda_items WHERE decision_id = ?", [decision])
    first = add_item(db, meeting, "Apologies and declarations")
    item = add_item(db, meeting, "Community anticoagulation service", decision)
    db.conn.commit()
    return SimpleNamespace(meeting=meeting, decision=decision, ref=reference(db, decision),
                           item=item, first=first)


def squash(value: str) -> str:
    return re.sub(r"\s+", " ", value).strip()


def pdf_pages(data: bytes) -> list[str]:
    return [squash(page.extract_text() or "") for page in PdfReader(io.BytesIO(data)).pages]


# ---- the minutes' wording for each ruling kind, against the record ----------------------------

QUORATE = "The meeting remained quorate with {n} voting members."


@pytest.mark.parametrize("ruling", list(RULINGS))
def test_the_minutes_say_how_each_ruling_kind_was_carried_out(db, world, lead, agenda, as_role,
                                                               ruling):
    """Dr Asha Patel may discuss but not vote; Dr Niamh O'Connor gets each ruling in turn,
    declared in the room and, where she left, left at 10:40 and came back at 11:05."""
    rule(lead, agenda.ref, **{str(world.gp1): "no_vote", str(world.gp2): ruling})
    leaves = ruling not in ("note_only", "no_vote")
    declare(db, agenda.item, world.gp2, words="I hold shares in Riverside Surgery",
            left_at="10:40" if leaves else None, returned_at="11:05" if leaves else None)
    db.conn.commit()
    patel, oconnor = "Dr Asha Patel", "Dr Niamh O'Connor"
    # Written out by hand from the record: 7 voting members; both GPs ruled out of the vote
    # except under note only.
    remaining = 6 if ruling == "note_only" else 5
    managed = {
        "note_only": (f"The chair noted the interest and ruled that no further action was "
                      f"needed; {oconnor} took part in the discussion and the vote."),
        "no_vote": (f"The chair ruled that {oconnor} could take part in the discussion but not "
                    f"the vote; {oconnor} did not vote."),
        "leave_item": (f"The chair ruled that {oconnor} leave the meeting for the item; "
                       f"{oconnor} left at 10:40 and did not take part in the discussion or the "
                       f"vote, returning at 11:05."),
        "exclude_all": (f"The chair ruled that {oconnor} be excluded from the papers and the "
                        f"discussion; {oconnor} did not receive the papers for the item, and "
                        f"{oconnor} left at 10:40 and did not take part in the discussion or "
                        f"the vote, returning at 11:05."),
        "remove_from_process": (f"{oconnor} was removed from the procurement process and took "
                                f"no part in the evaluation; {oconnor} left at 10:40 and did "
                                f"not take part in the discussion or the vote, returning at "
                                f"11:05."),
    }[ruling]
    expected = " ".join([
        conflict_sentence(db, agenda.decision, world.gp1),
        f"The chair ruled that {patel} could take part in the discussion but not the vote; "
        f"{patel} did not vote.",
        f"{oconnor} declared an interest in the item: \u201cI hold shares in Riverside "
        f"Surgery\u201d.",
        conflict_sentence(db, agenda.decision, world.gp2),
        managed,
        QUORATE.format(n=remaining),
    ])
    secretary = as_role("secretary")
    page = text(secretary.get(f"/meetings/{agenda.meeting}/minutes"))
    assert squash(expected) in page
    word = docx.Document(io.BytesIO(
        secretary.get(f"/meetings/{agenda.meeting}/minutes.docx").data))
    assert squash(expected) in [squash(p.text) for p in word.paragraphs]


def test_an_item_not_yet_ruled_on_and_one_with_no_declarations(db, world, agenda, as_role):
    page = text(as_role("secretary").get(f"/meetings/{agenda.meeting}/minutes"))
    assert "1. Apologies and declarations No interests were declared for this item." in page
    assert "No ruling on Dr Asha Patel's interest had been recorded" in page
    assert "The quorum after the rulings is not known until every conflict has a ruling." in page


def test_the_word_document_has_a_heading_per_item_in_the_templates_own_styles(db, world, lead,
                                                                             agenda, as_role):
    rule(lead, agenda.ref, **{str(world.gp1): "leave_item", str(world.gp2): "leave_item"})
    response = as_role("secretary").get(f"/meetings/{agenda.meeting}/minutes.docx")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].endswith(
        '-2026-03-10.docx"')
    word = docx.Document(io.BytesIO(response.data))
    styled = [(p.style.name, p.text) for p in word.paragraphs]
    assert styled[0] == ("Heading 1", "Declarations of interest: Primary Care Committee, "
                                      "10 March 2026")
    assert styled[1] == ("Heading 2", "1. Apologies and declarations")
    assert styled[2] == ("Normal", "No interests were declared for this item.")
    assert styled[3] == ("Heading 2", "2. Community anticoagulation service")
    assert styled[4][0] == "Normal" and styled[4][1].endswith(QUORATE.format(n=5))
    # No direct formatting that would fight the secretary's template.
    assert all(run.font.name is None and run.font.size is None and run.bold is None
               for p in word.paragraphs for run in p.runs)
    assert word.core_properties.title.startswith("Declarations of interest")


def test_an_inquorate_item_says_what_was_done(db, world, lead, agenda, as_role):
    # Both GPs leave, 5 of 7 remain; with a quorum of 6 the item is inquorate, and until an
    # escalation is recorded the minutes and the briefing say the decision cannot be taken.
    db.execute("UPDATE committees SET quorum_min_voting = 6 WHERE id = ?", [world.committee])
    db.conn.commit()
    rule(lead, agenda.ref, **{str(world.gp1): "leave_item", str(world.gp2): "leave_item"})
    secretary = as_role("secretary")
    page = text(secretary.get(f"/meetings/{agenda.meeting}/minutes"))
    assert ("With these rulings the meeting was not quorate (1 more voting member is needed "
            "(5 remain; the rule needs at least 6)), and the decision could not be taken at "
            "the meeting.") in page
    briefing = text(secretary.get(f"/meetings/{agenda.meeting}/briefing"))
    assert "With these rulings we would not be quorate, and the decision cannot be taken at " \
           "this meeting." in briefing
    assert "Inquorate after the rulings, and no one has recorded how the decision will be " \
           "taken" in briefing


# ---- the chair's briefing ----------------------------------------------------------------------

def test_the_briefing_pdf_has_a_cover_then_a_page_per_item_with_the_head_hash(db, world, lead,
                                                                            agenda, as_role,
                                                                            tmp_path):
    # The chair has an interest in the provider too: the vice-chair takes the item.
    add_interest(db, world.chair, organisation_id=world.practice, organisation_name="",
                 nature="Spouse is practice manager", is_indirect=1,
                 associate_relationship="Spouse", date_from="2024-01-01",
                 declared_on="2024-01-05")
    db.conn.commit()
    rule(lead, agenda.ref, **{str(world.gp1): "leave_item", str(world.gp2): "no_vote",
                              str(world.chair): "leave_item"})
    response = as_role("secretary").get(f"/meetings/{agenda.meeting}/briefing.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    pages = pdf_pages(response.data)
    assert len(pages) == 3  # the cover and one page per item
    head = audit.verify(db).head_hash
    assert head in pages[0]
    assert f"audit trail head {head[:16]}" in pages[1] and f"audit trail head {head[:16]}" in \
        pages[2]
    assert "Chair's conflicts briefing" in pages[0]
    assert "Quorum at least 4 voting members, including 1 lay" in pages[0]
    assert "Ruled on, but not yet signed off by the governance lead" in pages[0]
    assert pages[1].startswith("OFFICIAL") and "Item 1: Apologies and declarations" in pages[1]
    item = pages[2]
    assert "Item 2: Community anticoagulation service" in item
    assert "Asks Dr Asha Patel to leave for this item" in item
    assert "Dr Niamh O'Connor may discuss but not vote" in item
    assert "Asks Hugh Pemberton to leave for this item" in item
    # One line each: the first reason, and how many more the record holds (Dr Patel has two).
    assert "(and 1 more reason in the record)" in item
    assert ("The chair is conflicted, so the vice-chair takes the item: Eleanor Fairweather"
            in item)
    assert "As I am conflicted, Eleanor Fairweather will take the chair for this item." in item
    # 7 voting; the chair and Dr Patel leave, Dr O'Connor does not vote: 4 remain.
    assert "Quorate with 4 voting members after the rulings" in item
    assert ("Before we take item 2, Dr Asha Patel has an interest in it and will leave the "
            "meeting for this item; Dr Niamh O'Connor has an interest in it and may take part "
            "in the discussion but will not vote; Hugh Pemberton has an interest in it and will "
            "leave the meeting for this item.") in item
    if shutil.which("pdftoppm"):
        (tmp_path / "briefing.pdf").write_bytes(response.data)
        subprocess.run(["pdftoppm", "-png", "-r", "50", str(tmp_path / "briefing.pdf"),
                        str(tmp_path / "page")], check=True)
        assert len(list(tmp_path.glob("page-*.png"))) == 3


def test_items_not_ruled_on_need_the_governance_lead_before_the_meeting(db, world, agenda,
                                                                       as_role):
    secretary = as_role("secretary")
    pages = pdf_pages(secretary.get(f"/meetings/{agenda.meeting}/briefing.pdf").data)
    cover = pages[0][pages[0].index("Needs the governance lead before the meeting"):]
    assert "Item 2: Community anticoagulation service" in cover
    assert "No ruling yet on Dr Asha Patel" in cover and "No ruling yet on Dr Niamh O'Connor" in \
        cover
    assert "Needs the governance lead's ruling before the meeting" in pages[2]
    response = secretary.get(f"/meetings/{agenda.meeting}/briefing")
    page = text(response)
    # Each item, then what it needs as a list of its own (as the PDF prints it).
    listed = response.get_data(as_text=True)
    listed = listed[listed.index('id="needs-governance"'):listed.index("</ul>\n  </li>")]
    assert "Item 2: Community anticoagulation service</a>" in listed
    assert "<li>No ruling yet on Dr Asha Patel</li>" in listed
    assert "Not known until every conflicted person has a ruling" in page


def test_a_signed_off_item_needs_nothing_more_before_the_meeting(db, world, lead, agenda,
                                                                 as_role):
    assert lead.post(f"/reviews/{agenda.ref}",
                     data=sign_off_data(lead, agenda.ref)).status_code == 302
    secretary = as_role("secretary")
    pages = pdf_pages(secretary.get(f"/meetings/{agenda.meeting}/briefing.pdf").data)
    assert "Nothing: every conflicted person has a ruling and every item can be taken as " \
           "briefed." in pages[0]
    assert "Needs the governance lead" not in pages[2]
    assert "Nothing: every conflicted person has a ruling and every item can be taken as " \
           "briefed." in text(secretary.get(f"/meetings/{agenda.meeting}/briefing"))


def test_a_meeting_with_no_items_says_so_in_the_page_the_pdf_and_the_minutes(db, world,
                                                                            as_role):
    meeting = meeting_for(db, world.committee, "2026-06-09")
    db.conn.commit()
    secretary = as_role("secretary")
    assert "This meeting has no items on its agenda yet" in text(
        secretary.get(f"/meetings/{meeting}/briefing"))
    pages = pdf_pages(secretary.get(f"/meetings/{meeting}/briefing.pdf").data)
    assert len(pages) == 1 and "This meeting has no items on its agenda yet" in pages[0]
    assert "The meeting has no items on its agenda." in text(
        secretary.get(f"/meetings/{meeting}/minutes"))
    word = docx.Document(io.BytesIO(secretary.get(f"/meetings/{meeting}/minutes.docx").data))
    assert [p.text for p in word.paragraphs][-1] == "The meeting has no items on its agenda."


def test_user_text_is_escaped_in_the_page_and_kept_in_the_pdf(db, world, agenda, as_role):
    add_item(db, agenda.meeting, "Any <other> business & <script>")
    db.conn.commit()
    secretary = as_role("secretary")
    html = secretary.get(f"/meetings/{agenda.meeting}/briefing").get_data(as_text=True)
    assert "Any &lt;other&gt; business &amp; &lt;script&gt;" in html and "<script>" not in \
        html.split("</header>")[-1].replace('<script type="module"', "")
    pages = pdf_pages(secretary.get(f"/meetings/{agenda.meeting}/briefing.pdf").data)
    assert "Item 3: Any <other> business & <script>" in pages[3]


# ---- the members' register for the meeting ----------------------------------------------------

def test_the_members_register_shows_interests_as_they_stood_on_the_meeting_date(db, world,
                                                                               agenda, as_role):
    clerk = SimpleNamespace(id=add_user(db, "secretary", "clerk"), actor="clerk", person_id=None)
    withdrawn_later = add_interest(db, world.lay, organisation_name="Withdrawn Later Ltd",
                                   nature="Adviser", date_from="2025-06-01",
                                   declared_on="2025-06-05")
    add_interest(db, world.lay, organisation_name="Declared Later Ltd", nature="Director",
                 date_from="2026-02-01", declared_on="2026-04-01")
    # Withdrawn now, after the meeting: as it stood on the meeting date it was on the register.
    interest_queries.withdraw_interest(db, withdrawn_later, 1, "Entered in error", user=clerk)
    db.conn.commit()
    response = as_role("secretary").get(f"/meetings/{agenda.meeting}/members-register.pdf")
    assert response.status_code == 200
    reader = PdfReader(io.BytesIO(response.data))
    whole = " ".join(pdf_pages(response.data))
    assert "As it stood on 10 March 2026, the date of the meeting." in whole
    assert "Withdrawn Later Ltd" in whole
    assert "Declared Later Ltd" not in whole
    assert audit.verify(db).head_hash in whole
    # Grouped by person, the chair first, each a bookmark.
    names = [item.title for item in reader.outline[1]]
    assert names[0] == "Hugh Pemberton, Chair of the meeting"
    assert "Kwame Mensah, Member" in names
    assert "Riverside Surgery" in whole  # Dr Patel's partnership
    assert reader.metadata.title == ("Register of interests for the meeting of Primary Care "
                                     "Committee, 10 March 2026")


# ---- who may read them, and that reading writes nothing ---------------------------------------

OUTPUTS = ("briefing", "briefing.pdf", "members-register.pdf", "minutes", "minutes.docx")


@pytest.mark.parametrize("role", ["admin", "secretary", "governance", "auditor"])
def test_the_roles_that_prepare_a_meeting_read_every_output_and_nothing_is_written(
        db, world, agenda, as_role, role):
    client = as_role(role)
    before = data_version(db)
    for output in OUTPUTS:
        response = client.get(f"/meetings/{agenda.meeting}/{output}")
        assert response.status_code == 200, (output, text(response)[:300])
    assert data_version(db) == before


def test_a_member_reads_them_only_when_chairing_the_meeting(db, world, agenda, as_role):
    member = as_role("member", person_id=world.lay)
    for output in OUTPUTS:
        assert member.get(f"/meetings/{agenda.meeting}/{output}").status_code == 403
    chair = as_role("member", username="chair", person_id=world.chair)
    for output in OUTPUTS:
        assert chair.get(f"/meetings/{agenda.meeting}/{output}").status_code == 200, output


def test_signed_out_and_unknown_meetings(client, db, world, agenda, as_role):
    assert client.get(f"/meetings/{agenda.meeting}/briefing").status_code == 302
    secretary = as_role("secretary")
    for output in OUTPUTS:
        assert secretary.get(f"/meetings/999/{output}").status_code == 404


def test_a_chair_excluded_from_an_item_sees_only_its_reference(db, world, lead, agenda,
                                                               as_role):
    add_interest(db, world.chair, organisation_id=world.practice, organisation_name="",
                 nature="Director", date_from="2024-01-01", declared_on="2024-01-05")
    db.conn.commit()
    rule(lead, agenda.ref, **{str(world.gp1): "leave_item", str(world.gp2): "leave_item",
                              str(world.chair): "exclude_all"})
    chair = as_role("member", username="chair", person_id=world.chair)
    shown = f"{agenda.ref} (you are excluded from this item)"
    page = text(chair.get(f"/meetings/{agenda.meeting}/briefing"))
    assert f"Item 2: {shown}" in page
    assert "You may not see this item's details" in page
    pages = pdf_pages(chair.get(f"/meetings/{agenda.meeting}/briefing.pdf").data)
    assert f"Item 2: {shown}" in pages[2] and "You may not see this item's details" in pages[2]
    minutes = text(chair.get(f"/meetings/{agenda.meeting}/minutes"))
    word = docx.Document(io.BytesIO(chair.get(f"/meetings/{agenda.meeting}/minutes.docx").data))
    assert f"2. {shown}" in [p.text for p in word.paragraphs]
    for output in (page, " ".join(pages), minutes, " ".join(p.text for p in word.paragraphs)):
        for secret in ("Community anticoagulation service", "Dr Asha Patel",
                       "Riverside Surgery"):
            assert secret not in output


def test_the_meeting_page_links_to_the_outputs_for_those_who_may_read_them(db, world, agenda,
                                                                          as_role):
    page = as_role("secretary").get(f"/meetings/{agenda.meeting}").get_data(as_text=True)
    assert f'href="/meetings/{agenda.meeting}/briefing"' in page
    assert f'href="/meetings/{agenda.meeting}/members-register.pdf"' in page
    assert f'href="/meetings/{agenda.meeting}/minutes.docx"' in page
    member = as_role("member", person_id=world.lay)
    assert f"/meetings/{agenda.meeting}/briefing" not in member.get(
        f"/meetings/{agenda.meeting}").get_data(as_text=True)


def test_a_declaration_made_in_the_room_is_minuted_with_its_words(db, world, agenda, as_role):
    declare(db, agenda.first, world.lay, words="My brother is a partner at Hill Surgery")
    db.conn.commit()
    page = text(as_role("secretary").get(f"/meetings/{agenda.meeting}/minutes"))
    assert ("1. Apologies and declarations Kwame Mensah declared an interest in the item: "
            "\u201cMy brother is a partner at Hill Surgery\u201d. 2.") in page


# ---- the demo's meetings ------------------------------------------------------------------------

@pytest.fixture(scope="module")
def demo_app(tmp_path_factory):
    """The app on the demo consortium (its own clock: 15 March 2026)."""
    import datetime as dt

    from register import create_app
    from register.db import connect, migrate
    from register.demo import load_demo

    path = tmp_path_factory.mktemp("demo-briefing") / "register.sqlite3"
    handle = connect(str(path))
    migrate(handle)
    load_demo(handle, today=dt.date(2026, 3, 15))
    handle.close()
    return create_app({"TESTING": True, "SECRET_KEY": "test-secret-key-not-for-production",
                       "DATABASE": str(path), "WTF_CSRF_ENABLED": False})


def test_every_demo_meeting_briefs_one_page_per_item_and_the_conflicted_chair_hands_over(
        demo_app):
    from register.db import connect
    from register.demo import DEMO_PASSWORD

    client = demo_app.test_client()
    assert client.post("/sign-in", data={"username": "secretary",
                                         "password": DEMO_PASSWORD}).status_code == 302
    db = connect(demo_app.config["DATABASE"])
    meetings = [(row[0], row[1]) for row in db.execute(
        "SELECT meetings.id, count(agenda_items.id) FROM meetings LEFT JOIN agenda_items"
        " ON agenda_items.meeting_id = meetings.id GROUP BY meetings.id")]
    before = data_version(db)
    handed_over = []
    for meeting, items in meetings:
        pages = pdf_pages(client.get(f"/meetings/{meeting}/briefing.pdf").data)
        assert len(pages) == 1 + items, meeting
        handed_over += [page for page in pages
                        if "As I am conflicted, " in page and "so the vice-chair takes the "
                        "item: " in page]
    assert handed_over  # the demo's upcoming meeting with a conflicted chair
    assert data_version(db) == before
    db.close()
