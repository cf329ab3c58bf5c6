"""PDF downloads from the web and the command line: routes, roles, the pack form, and other pages
staying responsive while a large pack is built."""
from __future__ import annotations

import dataclasses
import errno
import http.cookiejar
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from register.db import ConnectionSettings
from register.reports import pack_jobs

from .conftest import PASSWORD, add_user
from .test_pdf_support import (
    NAMES,
    build_consortium,
    flat,
    job_id_of,
    pack_order,
    page_texts,
    print_pack,
    reader,
)


@pytest.fixture
def consortium(db):
    return build_consortium(db, extra_decisions=3)


PACK_FORM = {"committee_id": "1", "date_from-day": "1", "date_from-month": "1",
             "date_from-year": "2026", "date_to-day": "31", "date_to-month": "3",
             "date_to-year": "2026", "marking": "OFFICIAL-SENSITIVE",
             "prepared_by": "Ann O'Hara", "purpose": "Assurance <b>now</b>",
             "recommendation": "Note it"}


@pytest.mark.parametrize("role", ["secretary", "governance", "auditor", "admin"])
def test_decision_record_download_for_readers(as_role, consortium, role):
    client = as_role(role)
    response = client.get("/decisions/MOB-2026-0001/record.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert "MOB-2026-0001-audit-record.pdf" in response.headers["Content-Disposition"]
    assert NAMES["gp1"] in flat(" ".join(page_texts(response.data)))
    alias = client.get("/reports/decisions/mob-2026-0001.pdf?marking=OFFICIAL-SENSITIVE")
    assert alias.status_code == 200
    assert "OFFICIAL-SENSITIVE" in page_texts(alias.data)[0]


def test_member_reads_only_decisions_they_took_part_in(as_role, db, consortium):
    member = as_role("member", person_id=consortium["people"]["gp1"])
    assert member.get("/decisions/MOB-2026-0001/record.pdf").status_code == 200
    assert member.get("/decisions/MOB-2026-0002/record.pdf").status_code == 403
    assert member.get("/reports/pack").status_code == 403


def test_member_excluded_from_the_papers_cannot_print_them(as_role, db, consortium):
    db.execute("UPDATE decision_rulings SET ruling = 'exclude_all' WHERE person_id = ?",
               [consortium["people"]["gp1"]])
    member = as_role("member", person_id=consortium["people"]["gp1"])
    assert member.get("/decisions/MOB-2026-0001/record.pdf").status_code == 403


def test_unknown_reference_is_not_found(as_role, consortium):
    assert as_role("auditor").get("/decisions/MOB-1999-0001/record.pdf").status_code == 404


def test_signed_out_visitors_are_sent_to_sign_in(client, consortium):
    for url in ("/decisions/MOB-2026-0001/record.pdf", "/reports/", "/reports/pack"):
        response = client.get(url)
        assert response.status_code == 302 and "/sign-in" in response.location, url


def test_reports_page_and_nav(as_role, consortium):
    html = as_role("secretary").get("/reports/").get_data(as_text=True)
    assert "Print a board audit pack" in html and "/public/interests.csv" in html
    member_html = as_role("member", username="m2").get("/reports/").get_data(as_text=True)
    assert "Print a board audit pack" not in member_html
    assert 'href="/reports/"' in member_html  # the navigation entry


def test_reference_box_goes_to_the_record(as_role, consortium):
    response = as_role("auditor").get("/reports/decision?reference=mob-2026-0001")
    assert response.status_code == 302
    assert response.location.endswith("/decisions/MOB-2026-0001/record.pdf")


def test_pack_form_defaults_to_the_signed_in_user(as_role, consortium):
    client = as_role("secretary")
    html = client.get("/reports/pack").get_data(as_text=True)
    assert "Secretary Person" in html
    assert "Primary Care Committee" in html


def test_pack_form_returns_the_pdf(as_role, consortium):
    client = as_role("secretary")
    response = print_pack(client, PACK_FORM)
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert "attachment" in response.headers["Content-Disposition"]
    assert "audit-pack-Primary-Care-Committee-2026-01-01-to-2026-03-31.pdf" in \
        response.headers["Content-Disposition"]
    texts = page_texts(response.data)
    first = flat(texts[0])
    assert "Ann O'Hara" in first and "Assurance <b>now</b>" in first
    assert all("OFFICIAL-SENSITIVE" in t for t in texts)
    assert reader(response.data).metadata.author == "Ann O'Hara"


class Gate:
    """A named pipe the worker process reads from: opening it for reading blocks until the test
    opens it for writing, so the worker is busy until `set()` (it lives in another process, where
    a threading.Event cannot reach)."""

    def __init__(self, path: Path) -> None:
        os.mkfifo(path)
        self.path = path
        self.opened = False

    def set(self) -> None:
        """Let the worker go: open the pipe for writing (once the worker has opened it to read)
        and close it, which ends the worker's read."""
        if self.opened:
            return
        deadline = time.monotonic() + 120
        while True:
            try:
                fd = os.open(self.path, os.O_WRONLY | os.O_NONBLOCK)
                break
            except OSError as error:  # ENXIO: the worker has not opened it yet
                if error.errno != errno.ENXIO or time.monotonic() > deadline:
                    raise
                time.sleep(0.02)
        os.close(fd)
        self.opened = True


@pytest.fixture
def held_worker(tmp_path):
    """The pack worker kept busy until the test lets it go (so a job waits in the queue)."""
    gate = Gate(tmp_path / "gate")
    busy = pack_jobs.executor().submit(gate.path.read_bytes)
    yield gate
    gate.set()
    busy.result(timeout=600)


def test_pack_is_built_in_the_background_with_its_progress_shown(as_role, consortium,
                                                                 held_worker):
    client = as_role("secretary")
    # The worker is busy, yet the request is answered at once: the pack is not built in it.
    asked = client.post("/reports/pack", data=PACK_FORM)
    assert asked.status_code == 302 and "/reports/pack/jobs/" in asked.location
    waiting = client.get(asked.location)
    html = waiting.get_data(as_text=True)
    assert waiting.status_code == 200 and waiting.headers["Refresh"] == "2"
    assert waiting.mimetype == "text/html"
    assert "Building the board audit pack" in html and 'role="status"' in html
    # No pack is ahead of it: it only waits for the worker.
    assert "Starting." in html
    assert "Download the pack" not in html
    assert client.get(asked.location + ".json").get_json() == {
        "state": "queued", "stage": "Starting", "pages": 0}
    assert client.get(asked.location + "/file").status_code == 404  # not built yet
    assert client.get("/reports/").status_code == 200  # other pages are answered meanwhile
    # A second pack asked for meanwhile says it waits for the first.
    second = client.post("/reports/pack", data=PACK_FORM)
    assert "Waiting for the pack before it to finish." in client.get(second.location).get_data(
        as_text=True)
    assert client.get(second.location + ".json").get_json()["stage"] == (
        "Waiting for the pack before it to finish")

    held_worker.set()
    pack_jobs.wait(job_id_of(asked.location), timeout=600)
    pack_jobs.wait(job_id_of(second.location), timeout=600)
    done = client.get(asked.location)
    html = done.get_data(as_text=True)
    assert "Refresh" not in done.headers
    assert "Your board audit pack is ready" in html and "Download the pack (PDF)" in html
    status = client.get(asked.location + ".json").get_json()
    pdf = client.get(asked.location + "/file")
    assert pdf.mimetype == "application/pdf"
    pages = len(reader(pdf.data).pages)
    assert status == {"state": "ready", "stage": "Ready to download", "pages": pages}
    assert f"{pages} pages" in html


def test_a_pack_asked_for_on_the_web_is_built_in_a_process_of_its_own(app, as_role,
                                                                     consortium):
    client = as_role("secretary")
    asked = client.post("/reports/pack", data=PACK_FORM)
    job_id = job_id_of(asked.location)
    pack_jobs.wait(job_id, timeout=600)
    job = pack_jobs.status(pack_jobs.folder_for(app.config), job_id)
    assert job["state"] == "ready"
    assert job["builder_pid"] != os.getpid()  # not a thread of the process answering requests
    assert client.get(asked.location + "/file").mimetype == "application/pdf"


class _EndsTheWorker:
    """Put in a pack's order, it ends the worker's process the moment the worker unpacks the
    job, as a crash or a kill in the middle of a build would."""

    def __reduce__(self):
        return (os._exit, (70,))


def test_a_worker_that_dies_fails_its_pack_and_the_next_pack_still_builds(app, as_role,
                                                                        consortium):
    folder = pack_jobs.folder_for(app.config)
    doomed = pack_jobs.start(folder, pack_order(app, purpose=_EndsTheWorker()),
                             owner_user_id=1, filename="doomed.pdf")
    pack_jobs.wait(doomed, timeout=600)
    assert pack_jobs.status(folder, doomed)["state"] == pack_jobs.FAILED
    assert not pack_jobs.pdf_path(folder, doomed).exists()

    client = as_role("secretary")
    asked = client.post("/reports/pack", data=PACK_FORM)
    pack_jobs.wait(job_id_of(asked.location), timeout=600)
    assert client.get(asked.location + ".json").get_json()["state"] == "ready"
    assert client.get(asked.location + "/file").mimetype == "application/pdf"


def test_a_pack_whose_register_cannot_be_read_fails_with_its_traceback_on_standard_error(
        tmp_path):
    """In a fresh interpreter (so the worker's standard error is the pipe read here): importing
    the module starts no process, a worker that cannot read the register (its database file is
    missing) ends the job FAILED without making an empty database, logs why, and the
    interpreter exits with the pool."""
    missing = tmp_path / "gone.sqlite3"
    script = textwrap.dedent(f"""
        import datetime as dt
        import multiprocessing
        from pathlib import Path
        from register.db import ConnectionSettings
        from register.decisions.access import Viewer
        from register.reports import pack_jobs
        assert not multiprocessing.active_children(), "a process started at import"
        folder = Path({str(tmp_path)!r})
        order = pack_jobs.PackOrder(
            connection=ConnectionSettings({str(missing)!r}, "delete", 1000), committee_id=1,
            committee_name="C", date_from=dt.date(2026, 1, 1), date_to=dt.date(2026, 3, 31),
            organisation="O", prepared_by="P", purpose="P", recommendation="R",
            marking="OFFICIAL", review_target_days=5, viewer=Viewer(sees_all=True))
        job = pack_jobs.start(folder, order, owner_user_id=1, filename="x.pdf")
        pack_jobs.wait(job, timeout=300)
        status = pack_jobs.status(folder, job)
        print(status["state"], status["references"])
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=300, cwd=Path(__file__).resolve().parent.parent)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "failed None"
    assert "could not be built" in done.stderr and "Traceback" in done.stderr
    assert "FileNotFoundError" in done.stderr and str(missing) in done.stderr
    assert not missing.exists()


def test_the_job_page_says_the_register_is_being_read_until_the_worker_has_read_it(
        app, as_role, consortium, tmp_path):
    """The worker reads the register itself: while it waits for the database (here a copy that
    another connection holds locked), the job's page says so and nothing is served."""
    copy = tmp_path / "held.sqlite3"
    shutil.copyfile(app.config["DATABASE"], copy)
    holder = sqlite3.connect(copy, isolation_level=None)
    holder.execute("PRAGMA locking_mode = EXCLUSIVE")  # no reader gets in, whatever the journal
    holder.execute("BEGIN EXCLUSIVE")
    client = as_role("secretary")
    folder = pack_jobs.folder_for(app.config)
    try:
        settings = ConnectionSettings.of(app.config)
        job_id = pack_jobs.start(
            folder, pack_order(app, connection=dataclasses.replace(
                settings, database=str(copy), busy_timeout_ms=600_000)),
            owner_user_id=client.user_id, filename="held.pdf")
        deadline = time.monotonic() + 300
        while pack_jobs.status(folder, job_id)["state"] != "reading":
            assert time.monotonic() < deadline, pack_jobs.status(folder, job_id)
            time.sleep(0.05)
        page = client.get(f"/reports/pack/jobs/{job_id}")
        html = page.get_data(as_text=True)
        assert page.headers["Refresh"] == "2"
        assert "Reading the register." in html and "Download the pack" not in html
        assert client.get(f"/reports/pack/jobs/{job_id}.json").get_json() == {
            "state": "reading", "stage": "Reading the register", "pages": 0}
        assert pack_jobs.status(folder, job_id)["references"] is None
        assert client.get(f"/reports/pack/jobs/{job_id}/file").status_code == 404
        if pack_jobs.NICE_PER_THREAD:  # the reader holds the read lock: it is not lowered
            assert os.getpriority(os.PRIO_PROCESS, pack_jobs.status(folder, job_id)[
                "builder_pid"]) == os.getpriority(os.PRIO_PROCESS, 0)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    pack_jobs.wait(job_id, timeout=600)
    job = pack_jobs.status(folder, job_id)
    assert job["state"] == "ready"
    assert sorted(job["references"]) == [f"MOB-2026-{n:04d}" for n in range(1, 5)]
    assert client.get(f"/reports/pack/jobs/{job_id}/file").mimetype == "application/pdf"


def test_the_references_are_on_file_before_the_pages_are_laid_out(app, as_role, consortium):
    """The first stage of a build (run here in the test's process) ends with the references of
    the decisions printed on file and the page saying the pages are being laid out: a job that
    could be ready always has them. Until it is ready, the file is not served."""
    client = as_role("secretary")
    folder = pack_jobs.folder_for(app.config)
    folder.mkdir(parents=True, exist_ok=True)
    job = {"id": "x" * 24, "state": "queued", "pages": 0, "owner_user_id": client.user_id,
           "filename": "x.pdf", "references": None, "committee": "Primary Care Committee",
           "period_text": "1 January 2026 to 31 March 2026"}
    pack = pack_jobs._read_register(folder, job, pack_order(app))
    written = pack_jobs.status(folder, job["id"])
    assert written["state"] == "building" and written["builder_pid"] == os.getpid()
    assert written["references"] == [row["reference"] for row in pack["decisions"]]
    assert sorted(written["references"]) == [f"MOB-2026-{n:04d}" for n in range(1, 5)]
    assert "Laying out the pages." in client.get(f"/reports/pack/jobs/{job['id']}").get_data(
        as_text=True)
    assert client.get(f"/reports/pack/jobs/{job['id']}/file").status_code == 404


@pytest.mark.skipif(not pack_jobs.NICE_PER_THREAD, reason="only Linux lowers one thread alone")
def test_the_layout_runs_at_a_lower_priority_than_the_thread_that_asks_for_it():
    me = threading.get_native_id()
    before = os.getpriority(os.PRIO_PROCESS, me)
    ran_at = pack_jobs.at_lower_priority(
        lambda: os.getpriority(os.PRIO_PROCESS, threading.get_native_id()))
    assert ran_at == min(before + pack_jobs.WORKER_NICENESS, 19)
    assert os.getpriority(os.PRIO_PROCESS, me) == before  # the next read is not slowed
    with pytest.raises(ZeroDivisionError):  # a layout that fails fails in the caller
        pack_jobs.at_lower_priority(lambda: 1 / 0)


def test_a_ready_job_whose_references_are_not_known_is_never_served(app, as_role, consortium):
    client = as_role("secretary")
    asked = client.post("/reports/pack", data=PACK_FORM)
    job_id = job_id_of(asked.location)
    pack_jobs.wait(job_id, timeout=600)
    assert client.get(asked.location + "/file").status_code == 200
    folder = pack_jobs.folder_for(app.config)
    status_file = folder / f"{job_id}.json"
    job = json.loads(status_file.read_text(encoding="utf-8"))
    for unknown in ({**job, "references": None}, {k: v for k, v in job.items()
                                                  if k != "references"}):
        status_file.write_text(json.dumps(unknown), encoding="utf-8")
        assert client.get(asked.location + "/file").status_code == 404


def test_the_worker_prints_the_bytes_the_command_line_prints(app, consortium, tmp_path):
    """Read and laid out by the worker, the pack is byte for byte what `flask pdf pack
    --invariant` prints from the same register with the same options. Each is the first pack
    its process lays out: ReportLab numbers the fonts of a document after those of the
    documents its process laid out before."""
    order = pack_order(app, marking="OFFICIAL-SENSITIVE", invariant=True)
    pack_jobs.shutdown()  # the next pack starts a new worker
    folder = pack_jobs.folder_for(app.config)
    job_id = pack_jobs.start(folder, order, owner_user_id=1, filename="p.pdf")
    pack_jobs.wait(job_id, timeout=600)
    assert pack_jobs.status(folder, job_id)["state"] == "ready"
    printed = tmp_path / "printed.pdf"
    env = {**os.environ, "REGISTER_DATABASE": app.config["DATABASE"],
           "REGISTER_AUDIT_KEY": app.config["AUDIT_KEY"].hex(),
           "REGISTER_SECRET_KEY": "k" * 64, "REGISTER_JOURNAL_MODE": app.config["JOURNAL_MODE"]}
    done = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "register", "pdf", "pack", "--committee",
         order.committee_name, "--from", "2026-01-01", "--to", "2026-03-31", "--marking",
         order.marking, "--invariant", "--prepared-by", order.prepared_by, "--purpose",
         order.purpose, "--recommendation", order.recommendation, "-o", str(printed)],
        env=env, capture_output=True, text=True, timeout=300,
        cwd=Path(__file__).resolve().parent.parent)
    assert done.returncode == 0, done.stderr
    assert pack_jobs.pdf_path(folder, job_id).read_bytes() == printed.read_bytes()


def test_asking_for_a_pack_loads_no_pdf_library_in_the_server(tmp_path):
    """In a fresh interpreter: the request checks the form and queues the job; the PDF library
    (and the imaging one it brings) is loaded only by the worker that reads and lays it out."""
    script = textwrap.dedent(f"""
        import sys
        from register import create_app
        from register.db import migrate, open_app_db
        from register.reports import pack_jobs
        from tests.conftest import add_committee, add_user, sign_in
        app = create_app({{"TESTING": True, "SECRET_KEY": "x" * 40, "WTF_CSRF_ENABLED": False,
                           "DATABASE": {str(tmp_path / "r.sqlite3")!r},
                           "AUDIT_KEY_FILE": {str(tmp_path / "audit_key")!r}}})
        with app.app_context():
            db = open_app_db(foreign_keys=False)
            migrate(db)
            add_committee(db)
            add_user(db, role="secretary", username="sec")
            db.close()
        client = app.test_client()
        assert sign_in(client, "sec").status_code == 302
        asked = client.post("/reports/pack", data={PACK_FORM!r})
        assert asked.status_code == 302, asked.data[:300]
        loaded = sorted({{m.split(".")[0] for m in sys.modules}} & {{"reportlab", "PIL", "svglib"}})
        pack_jobs.wait(asked.location.rsplit("/", 1)[-1], timeout=300)
        print(loaded, client.get(asked.location + ".json").get_json()["state"])
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=300, cwd=Path(__file__).resolve().parent.parent)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[] ready"


def test_a_built_pack_is_only_for_its_reader_while_they_may_read_it(db, as_role, consortium):
    owner = as_role("secretary", person_id=consortium["people"]["gp1"])
    asked = owner.post("/reports/pack", data=PACK_FORM)
    pack_jobs.wait(job_id_of(asked.location), timeout=600)
    assert owner.get(asked.location + "/file").status_code == 200
    # Another reader of every decision does not see someone else's pack, nor its progress.
    other = as_role("auditor")
    for suffix in ("", ".json", "/file"):
        assert other.get(asked.location + suffix).status_code == 404, suffix
    assert as_role("member", username="m9").get(asked.location + "/file").status_code == 403
    assert owner.get("/reports/pack/jobs/not-a-job").status_code == 404
    # Ruled out of one decision's papers since: the file printed before is no longer served.
    db.execute("UPDATE decision_rulings SET ruling = 'exclude_all' WHERE person_id = ?",
               [owner.person_id])
    assert owner.get(asked.location + "/file").status_code == 403


@pytest.mark.parametrize("change, message", [
    ({"committee_id": ""}, "Select the committee"),
    ({"committee_id": "99"}, "Select the committee"),
    ({"date_from-day": "", "date_from-month": "", "date_from-year": ""},
     "Enter the start of the period"),
    ({"date_to-day": "31", "date_to-month": "2", "date_to-year": "2026"},
     "The end of the period must be a real date"),
    ({"date_to-year": "2025"}, "The end of the period must be the same as or after the start"),
    ({"prepared_by": ""}, "Enter who prepared the pack"),
    ({"purpose": ""}, "Enter the purpose of the pack"),
    ({"recommendation": ""}, "Enter the recommendation to the board"),
])
def test_pack_form_errors(as_role, consortium, change, message):
    response = as_role("secretary").post("/reports/pack", data={**PACK_FORM, **change})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "There is a problem" in html and message in html
    assert "<title>Error: " in html


# ---- the command line -----------------------------------------------------------------------

def test_cli_decision_and_pack(app, runner, consortium, tmp_path):
    record = tmp_path / "record.pdf"
    result = runner.invoke(args=["pdf", "decision", "MOB-2026-0001", "-o", str(record),
                                 "--invariant"])
    assert result.exit_code == 0, result.output
    assert "MOB-2026-0001" in flat(page_texts(record.read_bytes())[0])
    first = record.read_bytes()
    runner.invoke(args=["pdf", "decision", "MOB-2026-0001", "-o", str(record), "--invariant"])
    assert record.read_bytes() == first  # nothing changed, so the same bytes

    pack = tmp_path / "pack.pdf"
    result = runner.invoke(args=["pdf", "pack", "--committee", "primary care committee",
                                 "--from", "2026-01-01", "--to", "2026-03-31", "-o", str(pack),
                                 "--marking", "OFFICIAL-SENSITIVE", "--invariant"])
    assert result.exit_code == 0, result.output
    assert all("OFFICIAL-SENSITIVE" in t for t in page_texts(pack.read_bytes()))

    interests = tmp_path / "interests.pdf"
    result = runner.invoke(args=["pdf", "interests", "--on", "2026-04-01", "-o", str(interests)])
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("args, message", [
    (["pdf", "decision", "MOB-1999-0001"], "No decision has the reference MOB-1999-0001"),
    (["pdf", "pack", "--committee", "Nope", "--from", "2026-01-01", "--to", "2026-03-31"],
     "No committee is called 'Nope'"),
    (["pdf", "pack", "--committee", "Primary Care Committee", "--from", "2026-13-01", "--to",
      "2026-03-31"], "is not a date like 2026-03-31"),
    (["pdf", "pack", "--committee", "Primary Care Committee", "--from", "2026-03-01", "--to",
      "2026-01-31"], "the end of the period is before its start"),
])
def test_cli_refusals(runner, consortium, tmp_path, args, message):
    result = runner.invoke(args=[*args, "-o", str(tmp_path / "x.pdf")])
    assert result.exit_code != 0
    assert message in result.output


def test_cli_help_texts(runner):
    for command in ("decision", "pack", "interests"):
        result = runner.invoke(args=["pdf", command, "--help"])
        assert result.exit_code == 0 and "--invariant" in result.output


# ---- responsiveness -------------------------------------------------------------------------

def test_pages_keep_loading_while_a_large_pack_builds(app, db, held_worker):
    """A real threaded server: a pack asked for is answered with its progress page while the
    worker is busy (the pack is not built in the request), another user's page loads and a
    write is saved meanwhile, and the file arrives when the worker gets to it."""
    build_consortium(db, extra_decisions=3)
    add_user(db, role="secretary", username="builder")
    server = make_server("127.0.0.1", 0, app, threaded=True)
    base = f"http://127.0.0.1:{server.server_port}"
    serving = threading.Thread(target=server.serve_forever, daemon=True)
    serving.start()
    try:
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        opener.open(base + "/sign-in", data=urllib.parse.urlencode(
            {"username": "builder", "password": PASSWORD}).encode(), timeout=30)
        with opener.open(base + "/reports/pack", data=urllib.parse.urlencode(
                {**PACK_FORM, "marking": "OFFICIAL"}).encode(), timeout=60) as response:
            job_page = response.geturl()
            assert "/reports/pack/jobs/" in job_page
            assert "Building the board audit pack" in response.read().decode()
        with urllib.request.urlopen(base + "/public/interests", timeout=30) as response:
            assert response.status == 200
        db.execute("UPDATE people SET positions = 'Written meanwhile' WHERE id = 1")
        held_worker.set()
        pack_jobs.wait(job_id_of(job_page), timeout=600)
        with opener.open(job_page + "/file", timeout=60) as response:
            assert response.headers["Content-Type"] == "application/pdf"
            body = response.read()
    finally:
        server.shutdown()
    assert len(reader(body).pages) > 5
    assert db.execute("SELECT positions FROM people WHERE id = 1").fetchone()[0] == \
        "Written meanwhile"


@pytest.mark.parametrize(("typed", "message"), [
    ("", "Enter the decision reference, like MOB-2026-0007"),
    ("MOB-2099-0404", "There is no decision MOB-2099-0404 that you may read: check the "
                      "reference, like MOB-2026-0007"),
    ("mob-2099-0404", "There is no decision MOB-2099-0404 that you may read"),
])
def test_a_wrong_reference_is_an_error_on_the_form(as_role, consortium, typed, message):
    response = as_role("auditor").get("/reports/decision", query_string={"reference": typed})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<title>Error: Reports" in html
    assert html.count(message) == 2  # in the summary and beside the box
    assert f'value="{typed}"' in html or not typed


def test_a_decision_the_member_may_not_read_is_answered_as_not_found(as_role, consortium):
    response = as_role("member", username="m3").get(
        "/reports/decision?reference=MOB-2026-0001")
    assert response.status_code == 200
    assert "There is no decision MOB-2026-0001 that you may read" in response.get_data(
        as_text=True)


class _Clock:
    """Stands in for the clock the server shares with the pack worker."""

    def __init__(self, value: float) -> None:
        self.value = value


def test_a_page_of_a_pack_waits_while_people_are_loading_pages():
    now = [100.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    # No request for a while: the next page is laid out at once.
    assert pack_jobs.give_way(_Clock(99.0), sleep=sleep, now=lambda: now[0]) == 0
    assert slept == []
    # A request just began: wait until the server has been quiet for a moment...
    assert pack_jobs.give_way(_Clock(100.0), sleep=sleep, now=lambda: now[0]) == pytest.approx(
        pack_jobs.GIVE_WAY_QUIET)
    # ...but under constant use, a page still goes ahead after the longest wait.
    slept.clear()
    busy = _Clock(0.0)

    def always_busy(seconds: float) -> None:
        sleep(seconds)
        busy.value = now[0]  # another request began meanwhile

    busy.value = now[0]
    waited = pack_jobs.give_way(busy, sleep=always_busy, now=lambda: now[0])
    assert waited == pytest.approx(pack_jobs.GIVE_WAY_MOST)
    assert len(slept) == round(pack_jobs.GIVE_WAY_MOST / pack_jobs.GIVE_WAY_STEP)


def test_each_request_tells_the_pack_worker_to_give_way(as_role):
    client = as_role("secretary")
    pack_jobs.executor()  # the clock is shared from the first pack on
    before = time.monotonic()
    assert client.get("/reports/").status_code == 200
    assert pack_jobs._server_clock.value >= before
    # The worker reads the same clock: while requests keep coming, it waits.
    stop = threading.Event()

    def requests_keep_coming() -> None:
        while not stop.is_set():
            pack_jobs.note_request()
            time.sleep(0.005)

    noting = threading.Thread(target=requests_keep_coming)
    noting.start()
    try:
        waited = pack_jobs.executor().submit(pack_jobs.give_way).result(timeout=600)
    finally:
        stop.set()
        noting.join()
    assert waited > 0
