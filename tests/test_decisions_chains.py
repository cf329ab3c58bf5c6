"""The conflict chain diagram on the decision and review pages and in the decision PDF, read back."""
from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET

import pytest
from PIL import Image

from register import create_app
from register.db import connect
from register.demo import DEMO_PASSWORD, load_demo
from register.pdf import builders, loaders
from tests.conftest import (
    add_committee,
    add_decision,
    add_interest,
    add_organisation,
    add_person,
    data_version,
    fresh_database,
    sign_in,
)
from tests.test_pdf_support import PRINTED_AT, flat, page_texts, reader
from tests.test_rules_chains import needs_dot

TODAY = dt.date(2026, 3, 15)
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def demo_app(tmp_path_factory, migrated_template):
    """The demo consortium loaded once for these read-only tests."""
    app = create_app({
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-not-for-production",
        "DATABASE": fresh_database(tmp_path_factory.mktemp("chains"), migrated_template),
        "WTF_CSRF_ENABLED": False,
    })
    handle = connect(app.config["DATABASE"])
    load_demo(handle, today=TODAY)
    handle.close()
    return app


@pytest.fixture(scope="module")
def lead(demo_app):
    client = demo_app.test_client()
    assert sign_in(client, "governance", DEMO_PASSWORD).status_code == 302
    return client


def figure_svg(page: str) -> ET.Element:
    """The one diagram on the page, parsed."""
    found = re.findall(r'<figure class="app-chain">.*?(<svg\b.*?</svg>)', page, re.S)
    assert len(found) == 1
    return ET.fromstring(found[0])


def texts(svg: ET.Element) -> list[str]:
    return [" ".join("".join(t.itertext()).split()) for t in svg.iter(f"{SVG}text")]


@needs_dot
def test_the_decision_page_draws_each_chain_with_a_title_and_description(lead):
    page = lead.get("/decisions/MOB-2025-0002").get_data(as_text=True)
    svg = figure_svg(page)
    assert svg.get("role") == "img"
    assert svg.get("aria-labelledby") == "chain-title chain-desc"
    assert svg[0].tag == f"{SVG}title" and svg[0].text == "How each conflict arises"
    assert svg[1].tag == f"{SVG}desc" and svg[1].text.startswith(
        "2 people and 7 organisations linked to 1 proposed provider by 12 links.")
    words = texts(svg)
    for name in ("Dr Oluwaseun Adeyemi", "Dr Niamh O'Connor", "Northvale GP Federation Ltd",
                 "Castlegate Health Centre (Y90003)"):
        assert name in words
    for label in ("director of", "shareholder in", "partner at", "home practice",
                  "member of since 15 March 2018"):
        assert label in words
    # The sentences stay on the page beside the drawing, as its text alternative.
    assert page.index('id="conflicts"') < page.index('<figure class="app-chain">')
    assert "Dr Oluwaseun Adeyemi holds an interest in" in page


def test_an_unflagged_decision_has_no_diagram(lead):
    page = lead.get("/decisions/MOB-2023-0001").get_data(as_text=True)
    assert "No conflicts found." in page
    assert "app-chain" not in page and "<svg" not in page.split('id="conflicts"')[1]


@needs_dot
def test_the_review_page_draws_the_chain_too(lead):
    page = lead.get("/reviews/MOB-2026-0003").get_data(as_text=True)
    words = texts(figure_svg(page))
    assert "Northvale Central Primary Care Network (U90001)" in words
    assert "member of since 15 March 2020" in words


def test_without_dot_the_pages_show_the_sentences_only(lead, demo_app, monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    for url in ("/decisions/MOB-2025-0002", "/reviews/MOB-2026-0003"):
        response = lead.get(url)
        page = response.get_data(as_text=True)
        assert response.status_code == 200
        assert "app-chain" not in page and "stands to gain" in page
    with demo_app.app_context():
        handle = connect(demo_app.config["DATABASE"])
        data = builders.build_decision_record(loaders.decision_record(
            handle, "MOB-2025-0002", organisation="Northvale", printed_at=PRINTED_AT))
        handle.close()
    assert "How each conflict arises" not in flat(" ".join(page_texts(data)))


def diagram_pdf(demo_app, reference: str) -> bytes:
    handle = connect(demo_app.config["DATABASE"])
    record = loaders.decision_record(handle, reference, organisation="Northvale",
                                     printed_at=PRINTED_AT)
    handle.close()
    assert record["chain_svg"]
    return builders.build_decision_record(record)


@needs_dot
@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils is not installed")
def test_the_decision_pdf_draws_the_diagram(demo_app, tmp_path):
    data = diagram_pdf(demo_app, "MOB-2025-0002")
    pages = page_texts(data)
    assert len(reader(data).pages) == len(pages)
    (number,) = [i + 1 for i, text in enumerate(pages)
                 if "How each conflict arises" in flat(text)]
    assert "director of" in flat(pages[number - 1])
    assert "Dr Oluwaseun Adeyemi" in flat(pages[number - 1])
    (tmp_path / "record.pdf").write_bytes(data)
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", str(number), "-l", str(number),
                    str(tmp_path / "record.pdf"), str(tmp_path / "page")], check=True)
    (png,) = tmp_path.glob("page*.png")
    image = Image.open(io.BytesIO(png.read_bytes())).convert("RGB")
    colours = image.getcolors(maxcolors=1 << 20)
    # The federation's fill and the membership lines' green are drawn (nothing else uses them).
    assert sum(n for n, c in colours if _near(c, (0xFF, 0xF2, 0xCC))) > 100
    assert sum(n for n, c in colours if _near(c, (0x00, 0x67, 0x47))) > 20


def _near(colour: tuple[int, int, int], target: tuple[int, int, int]) -> bool:
    return all(abs(a - b) <= 12 for a, b in zip(colour, target, strict=True))


@needs_dot
def test_three_hundred_member_practices_a_cycle_and_strange_names_render(db, as_role):
    """A federation whose network has 300 member practices, the federation listed as a member of
    its own network, and names with quotes, backslashes, angle brackets and any Unicode."""
    federation = add_organisation(db, 'Vale "Federation" <Ltd>', kind="federation")
    network = add_organisation(db, "Næss \\ Network", kind="network", ods_code="U90001")
    for member, parent in ((network, federation), (federation, network)):
        db["organisation_links"].insert({"member_id": member, "parent_id": parent,
                                         "date_from": "2023-04-01",
                                         "created_at": "2026-01-01T00:00:00Z"})
    practices = []
    with db.atomic():  # one commit, not 600
        for number in range(300):
            practices.append(add_organisation(db, f"Practice {number:03d} 李",
                                              ods_code=f"Y9{number:04d}", is_member_practice=1))
            db["organisation_links"].insert({"member_id": practices[-1], "parent_id": network,
                                             "created_at": "2026-01-01T00:00:00Z"})
    gp = add_person(db, 'Dr Zoë "Z" O\'Brien-Ñúñez <b>', home_practice_id=practices[0])
    decision = add_decision(db, add_committee(db), providers=(federation,),
                            participants=((gp, "voting"),), status="awaiting_review",
                            submitted_at="2026-03-11T09:00:00Z")
    reference = db["decisions"].get(decision)["reference"]
    client = as_role("governance")
    before = data_version(db)
    response = client.get(f"/decisions/{reference}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    words = texts(figure_svg(page))
    assert "299 member practices" in words
    assert 'Dr Zoë "Z" O\'Brien-Ñúñez <b>' in words
    assert 'Vale "Federation" <Ltd>' in words and "Næss \\ Network (U90001)" in words
    # The cycle leads nowhere new: the network's link to the federation is drawn once.
    assert words.count("member of since 1 April 2023") == 1
    assert "<b>" not in page.replace("&lt;b&gt;", "")
    listed = re.search(r"The 299 member practices of Næss \\ Network \(U90001\)</span>.*?</ul>",
                       page, re.S)
    assert listed and listed[0].count("<li>") == 299
    assert "Practice 000 李" not in listed[0] and "<li>Practice 299 李 (Y90299)</li>" in listed[0]
    record = loaders.decision_record(db, reference, organisation="Northvale",
                                     printed_at=PRINTED_AT)
    data = builders.build_decision_record(record)
    assert any("How each conflict arises" in flat(t) for t in page_texts(data))
    assert data_version(db) == before, "drawing the diagram wrote to the database"


@needs_dot
def test_the_page_reuses_its_diagram_until_the_audit_trail_moves(app, db, as_role):
    """The decision page keeps the diagram it drew for the facts as they stood (the audit
    trail's head) and draws it again once a write has recorded its event."""
    from register import audit
    from register.db import write_transaction

    federation = add_organisation(db, "Vale Federation Ltd", kind="federation")
    gp = add_person(db, "Dr Ada Byron")
    decision = add_decision(db, add_committee(db), providers=(federation,),
                            participants=((gp, "voting"),), status="awaiting_review",
                            submitted_at="2026-03-11T09:00:00Z")
    add_interest(db, gp, organisation_id=federation, organisation_name="Vale Federation Ltd",
                 nature="Director", date_from="2020-01-01", declared_on="2020-01-10")
    reference = db["decisions"].get(decision)["reference"]
    client = as_role("governance")
    assert "Dr Ada Byron" in texts(figure_svg(client.get(f"/decisions/{reference}").get_data(
        as_text=True)))
    # A change that records no event (as no write path of the register does) is not drawn:
    # the page drew its diagram once for this version of the facts.
    db.execute("UPDATE people SET name = 'Dr Ada Lovelace' WHERE id = ?", [gp])
    page = client.get(f"/decisions/{reference}").get_data(as_text=True)
    assert "Dr Ada Byron" in texts(figure_svg(page))
    # Once a write records its event, the trail's head moves and the diagram is drawn again.
    with app.app_context(), write_transaction(db):
        audit.record(db, actor="secretary", action="update", entity="person", entity_id=gp,
                     changes={"name": ["Dr Ada Byron", "Dr Ada Lovelace"]})
    words = texts(figure_svg(client.get(f"/decisions/{reference}").get_data(as_text=True)))
    assert "Dr Ada Lovelace" in words and "Dr Ada Byron" not in words


@needs_dot
def test_the_audit_pack_draws_each_flagged_decisions_chain(demo_app):
    handle = connect(demo_app.config["DATABASE"])
    committee = handle.execute(
        "SELECT committees.id, committees.name FROM decisions JOIN committees"
        " ON committees.id = decisions.committee_id WHERE reference = 'MOB-2025-0002'").fetchone()
    pack = loaders.audit_pack(handle, {"id": committee[0], "name": committee[1]},
                              dt.date(2025, 1, 1), dt.date(2025, 12, 31),
                              organisation="Northvale", prepared_by="Ann Secretary",
                              purpose="Assurance", recommendation="Note", printed_at=PRINTED_AT)
    handle.close()
    flagged = [r for r in pack["records"] if r["chain_svg"]]
    assert flagged and len(flagged) == len(pack["records"])
    texts_of = [flat(t) for t in page_texts(builders.build_audit_pack(pack))]
    assert sum(t.count("How each conflict arises") for t in texts_of) == len(flagged)


@needs_dot
def test_the_packs_diagrams_laid_out_together_are_each_decisions_own(demo_app):
    """A pack lays out its diagrams in batches, in one `dot` run a batch: each decision gets the
    same picture as when it is drawn on its own, in its own place."""
    from register.decisions import chains, record

    handle = connect(demo_app.config["DATABASE"])
    ids = [r[0] for r in handle.execute("SELECT id FROM decisions WHERE flag_count > 0"
                                        " ORDER BY id").fetchall()]
    records = record.load_records(handle, ids)
    alone = {rec.id: (chains.diagram_for(handle, rec) or None) for rec in records}
    together = chains.svgs_for(handle, records, batch=2)  # several batches
    assert chains.svgs_for(handle, records) == together
    handle.close()
    drawn = {i: d.svg for i, d in alone.items() if d is not None}
    assert len(drawn) >= 3
    assert together == {i: drawn.get(i) for i in ids}
