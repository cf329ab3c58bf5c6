"""The benchmark's own tools on tiny runs: the load generator, the closing table and the bare
page. No timings are asserted; speed is `make bench`'s business."""
from __future__ import annotations

import contextlib
import io
import sqlite3
import threading
from collections.abc import Iterator
from urllib.parse import parse_qs

import pytest
from waitress.server import create_server

from bench import busy
from bench.bare_app import create_bare_app
from bench.loadgen import LoadResult, run_load, submit_form
from bench.table import Goal, Row, alternate, format_table, ratio_text


@contextlib.contextmanager
def _waitress(app) -> Iterator[int]:  # noqa: ANN001
    """Waitress (as the bench serves) running `app` on a free port in a thread; its port."""
    server = create_server(app, host="127.0.0.1", port=0, threads=2)

    def serve() -> None:
        # Closing the listening socket from this thread ends the loop's select with EBADF.
        with contextlib.suppress(OSError):
            server.run()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield server.effective_port
    finally:
        server.close()
        thread.join(timeout=5)


@pytest.fixture
def tiny_server() -> Iterator[tuple[int, set[str]]]:
    """Waitress (as the bench serves) answering 200 on /ok and 404 elsewhere; it notes the
    client ports it saw, so a test can count connections."""
    seen: set[str] = set()

    def app(environ, start_response):  # noqa: ANN001, ANN202
        seen.add(environ["REMOTE_PORT"])
        body = b"hello"
        status = "200 OK" if environ["PATH_INFO"] == "/ok" else "404 Not Found"
        start_response(status, [("Content-Type", "text/plain"),
                                ("Content-Length", str(len(body)))])
        return [body]

    with _waitress(app) as port:
        yield port, seen


def test_load_generator_counts_answers_on_keep_alive_connections(tiny_server) -> None:
    port, seen = tiny_server
    result = run_load("127.0.0.1", port, "/ok", concurrency=2, duration=0.3)
    assert result.ok > 2 and result.errors == 0
    assert result.rps > 0
    assert 0 < result.p50 <= result.p99
    assert len(result.latencies) == result.ok
    # Each client thread kept its one connection open for every request.
    assert len(seen) <= 2


def test_load_generator_counts_other_statuses_as_errors(tiny_server) -> None:
    port, _seen = tiny_server
    result = run_load("127.0.0.1", port, "/missing", concurrency=1, duration=0.1)
    assert result.ok == 0 and result.errors > 0


def test_percentiles_by_nearest_rank() -> None:
    result = LoadResult(100, 0, 2.0, tuple(float(n) for n in range(1, 101)))
    assert (result.p50, result.p99, result.percentile(1.0)) == (50.0, 99.0, 100.0)
    assert result.rps == 50.0


def test_alternate_swaps_who_goes_first_each_round() -> None:
    calls: list[str] = []

    def project() -> float:
        calls.append("project")
        return 2.0

    def bare() -> float:
        calls.append("bare")
        return 1.0

    row = alternate(3, project, bare, Row("thing", "s", Goal("ratio <= 1.5", at_most=1.5)))
    assert calls == ["project", "bare", "bare", "project", "project", "bare"]
    assert row.ratios() == [2.0, 2.0, 2.0]
    assert row.met() is False


def test_table_gives_medians_ratio_range_goal_and_verdict() -> None:
    rows = [
        Row("Pages | register", "req/s", Goal("ratio >= 0.5", at_least=0.5),
            project=[10.0, 30.0, 20.0], bare=[100.0, 100.0, 100.0]),
        Row("Flags", "ms", Goal("project < 1 ms", on="project", at_most=1.0),
            project=[0.5, 0.7, 0.6], bare=[0.1, 0.1, 0.2], note="median"),
        Row("Matching", "rows/s", Goal("project >= 20,000", on="project", at_least=20_000),
            project=[25_000.0]),
    ]
    lines = format_table(rows).splitlines()
    assert lines[0] == "| metric | project | bare | ratio | goal | met |"
    assert lines[2] == ("| Pages / register | 20.0 req/s | 100 req/s | 0.20x (0.10-0.30, 3 rounds)"
                        " | ratio >= 0.5 | not met |")
    assert lines[3] == ("| Flags (median) | 0.60 ms | 0.10 ms | 5.00x (3.00-7.00, 3 rounds) |"
                        " project < 1 ms | met |")
    assert lines[4] == "| Matching | 25,000 rows/s | - | - | project >= 20,000 | met |"
    assert ratio_text(Row("x", "s", Goal("g"), [3.0], [2.0])) == "1.50x (1 round)"


def test_bare_page_lists_the_latest_50_decisions_escaped(tmp_path) -> None:
    path = tmp_path / "bare.sqlite3"
    conn = sqlite3.connect(path)
    conn.executescript(
        "CREATE TABLE committees (id INTEGER PRIMARY KEY, name TEXT);"
        "CREATE TABLE decisions (id INTEGER PRIMARY KEY, reference TEXT, title TEXT,"
        " committee_id INTEGER, meeting_date TEXT, choice TEXT, total_value_pence INTEGER,"
        " status TEXT, flag_count INTEGER);"
        "INSERT INTO committees VALUES (1, 'Primary care');")
    conn.executemany("INSERT INTO decisions VALUES (?, ?, ?, 1, ?, 'make', NULL, 'draft', 0)",
                     [(i, f"MOB-{i:03d}", f"<b>Service {i}</b>", f"2025-01-{1 + i % 28:02d}")
                      for i in range(1, 61)])
    conn.commit()
    conn.close()
    response = create_bare_app(str(path)).test_client().get("/")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert page.count("<tr><td>") == 50
    assert "&lt;b&gt;Service" in page and "<b>Service" not in page


def test_the_raw_pack_twin_prints_the_packs_sections_on_about_its_pages(tmp_path):
    """The twin the pack is measured against prints the same sections and flagged decisions,
    on about as many pages, so the ratio compares like with like."""
    import re

    from pypdf import PdfReader

    from bench import pack, raw_pack

    path = str(tmp_path / "bench.sqlite3")
    pack.prepare(path, 30)
    project, twin = (PdfReader(io.BytesIO(data)) for data in (
        pack.build(path), raw_pack.build(path, 1, *raw_pack.PERIOD)))
    texts = [" ".join(page.extract_text().split()) for page in twin.pages]
    whole = " ".join(texts)
    for section in ("Contents", "Summary", "Figures", "Register of procurement decisions",
                    "Flagged decisions", "Quorum", "Counted on the voting members taking part",
                    "Register of interests of the committee's members",
                    "Gifts, hospitality and sponsorship", "Breaches found",
                    "Checking this record"):
        assert section in whole, section
    ours = " ".join(" ".join(page.extract_text().split()) for page in project.pages)
    flagged = set(re.findall(r"(MOB-\d{4}-\d{5}): Service", ours))
    assert flagged and flagged <= set(re.findall(r"(MOB-\d{4}-\d{5}): Service", whole))
    assert f"Page {len(texts)} of {len(texts)}" in texts[-1]
    assert abs(len(twin.pages) - len(project.pages)) <= 0.15 * len(project.pages)


def test_the_busy_part_picks_the_largest_committee_and_a_period_of_that_many(tmp_path) -> None:
    path = tmp_path / "busy.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE decisions (id INTEGER PRIMARY KEY, committee_id INTEGER,"
                 " meeting_date TEXT)")
    conn.executemany("INSERT INTO decisions (committee_id, meeting_date) VALUES (?, ?)",
                     [(1 + i % 3 if i % 4 else 2, f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}")
                      for i in range(120)])
    conn.commit()
    conn.close()
    committee, first, last, count = busy.pack_period(str(path), decisions=20)
    assert committee == 2  # the committee with the most decisions
    assert first == "2024-01-01" and first <= last
    assert 20 <= count <= 25  # meetings on the last day may bring a few more
    assert busy._form(2, first, "2025-03-09") == {
        "committee_id": "2", "marking": "OFFICIAL", "prepared_by": "Bench Secretary",
        "purpose": "Benchmark", "recommendation": "Note it",
        "date_from-day": "1", "date_from-month": "1", "date_from-year": "2024",
        "date_to-day": "9", "date_to-month": "3", "date_to-year": "2025"}


def test_the_busy_parts_form_is_the_registers_pack_form(as_role, db) -> None:
    """What the busy part posts is a pack the register accepts and builds."""
    from register.reports import pack_jobs

    from .test_pdf_support import build_consortium, job_id_of

    build_consortium(db, extra_decisions=1)
    client = as_role("secretary")
    asked = client.post("/reports/pack", data=busy._form(1, "2026-01-01", "2026-03-31"))
    assert asked.status_code == 302 and "/reports/pack/jobs/" in asked.location
    pack_jobs.wait(job_id_of(asked.location), timeout=600)
    assert client.get(asked.location + ".json").get_json()["state"] == "ready"


@pytest.fixture
def form_server() -> Iterator[int]:
    """Waitress answering a form (GET: a CSRF token and a cookie; POST: 302 if the token and
    the cookies match, 400 otherwise)."""

    def app(environ, start_response):  # noqa: ANN001, ANN202
        cookie = environ.get("HTTP_COOKIE", "")
        if environ["REQUEST_METHOD"] == "GET":
            body = b'<input type="hidden" name="csrf_token" value="tok123">'
            start_response("200 OK", [("Content-Type", "text/html"),
                                      ("Set-Cookie", "form=seen; Path=/"),
                                      ("Content-Length", str(len(body)))])
            return [body]
        size = int(environ.get("CONTENT_LENGTH") or 0)
        sent = parse_qs(environ["wsgi.input"].read(size).decode())
        good = (sent.get("csrf_token") == ["tok123"] and sent.get("name") == ["Ann"]
                and "session=abc" in cookie and "form=seen" in cookie)
        start_response("302 Found" if good else "400 Bad Request",
                       [("Location", "/done/1"), ("Set-Cookie", "after=yes; Path=/"),
                        ("Content-Length", "0")])
        return [b""]

    with _waitress(app) as port:
        yield port


def test_submit_form_sends_the_forms_csrf_token_and_keeps_the_cookies(form_server) -> None:
    status, location, headers = submit_form("127.0.0.1", form_server, "/form", {"name": "Ann"},
                                            {"Cookie": "session=abc"})
    assert (status, location) == (302, "/done/1")
    assert headers["Cookie"] == "session=abc; form=seen; after=yes"
    status, _location, _headers = submit_form("127.0.0.1", form_server, "/form",
                                              {"name": "Bob"}, {"Cookie": "session=abc"})
    assert status == 400
