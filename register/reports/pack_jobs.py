"""Board audit packs built in the background, one at a time per process.

The request that asks for a pack only checks the form and queues a job saying what to print (a
`PackOrder`: the database's connection settings, the committee, the period, the cover sheet's
words, the print options and whose view of the decisions), then answers at once. A single worker
process opens its own connection to the database, reads the pack (one short read transaction,
leaving out the papers the viewer is excluded from, as anywhere else) and lays it out, so other
people's pages keep loading while a large pack is read and laid out. The worker is a process of
its own, not a thread, so that reading a thousand decisions and laying out a thousand pages do not
hold the interpreter's lock against the threads answering requests. It lays the pages out at a
lower priority, so those threads get the CPU first, but reads at the normal one: the read holds
the database's read lock, which writers wait for (see `at_lower_priority`). Each build is a job
with a status file and, when finished, the PDF, both in a folder beside the database (the
instance folder); nothing is written to the database, so the pages that show a job's progress
only read.

A job belongs to the account that asked for it. Once the worker has read the register, before it
lays the pages out, the status file records the references of the decisions the pack prints, so
the file is served only to that account while it may still read every one of them; a job whose
references are not yet known is never served.
"""
from __future__ import annotations

import datetime as dt
import json
import logging
import multiprocessing
import os
import re
import secrets
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from ..db import ConnectionSettings
from ..decisions import access
from ..pdf import loaders

log = logging.getLogger(__name__)
T = TypeVar("T")

QUEUED, READING, BUILDING, READY, FAILED = "queued", "reading", "building", "ready", "failed"
STAGES = {
    QUEUED: "Waiting for the pack before it to finish",
    READING: "Reading the register",
    BUILDING: "Laying out the pages",
    READY: "Ready to download",
    FAILED: "The pack could not be built",
}
# A queued job with no pack of this process ahead of it is only waiting for the worker to start.
STARTING = "Starting"
KEEP_SECONDS = 24 * 60 * 60  # a finished job's files are removed a day later
JOB_ID = re.compile(r"^[A-Za-z0-9_-]{20,40}$")

WORKER_NICENESS = 10  # added to the layout's niceness: requests are served first
# On Linux each thread has a nice value of its own, so the layout can be lowered alone while the
# read before it keeps the normal priority. Elsewhere the whole worker is lowered as it starts.
NICE_PER_THREAD = sys.platform.startswith("linux")


@dataclass(frozen=True)
class PackOrder:
    """What a job prints, as the pack form asked for it: the worker reads the register with
    these and lays the pack out. Small, so handing it to the worker costs the server next to
    nothing."""

    connection: ConnectionSettings
    committee_id: int
    committee_name: str
    date_from: dt.date
    date_to: dt.date
    organisation: str
    prepared_by: str  # also the PDF's author
    purpose: str
    recommendation: str
    marking: str
    review_target_days: int
    viewer: access.Viewer  # whose view: the papers of a decision they are excluded from stay out
    invariant: bool = False  # printed as at the last audit event, for byte-for-byte copies


# One build at a time for this process, in one worker process started on first use (importing
# this module or starting the app starts none). `_finished` holds, for each job started here and
# not yet ended, an event set once its status file says how it ended.
_lock = threading.Lock()
_executor: ProcessPoolExecutor | None = None
_finished: dict[str, threading.Event] = {}


def _lower_priority(thread_id: int = 0) -> None:
    """Add WORKER_NICENESS to the niceness of a thread (on Linux; 0: the calling one) or of the
    calling process (elsewhere)."""
    try:
        os.setpriority(os.PRIO_PROCESS, thread_id,
                       os.getpriority(os.PRIO_PROCESS, thread_id) + WORKER_NICENESS)
    except OSError:
        pass  # not allowed here: the build still runs, at the same priority as requests


def at_lower_priority(work: Callable[[], T]) -> T:
    """Do `work` at a lower priority than requests. On Linux it runs in a thread of its own that
    lowers only its own priority (the calling thread keeps its priority, for the next read);
    elsewhere the worker already runs at the lower priority."""
    if not NICE_PER_THREAD:
        return work()
    outcome: dict[str, Any] = {}

    def run() -> None:
        _lower_priority(threading.get_native_id())
        try:
            outcome["value"] = work()
        except BaseException as failure:  # handed back to the caller, as if it ran there
            outcome["failure"] = failure

    thread = threading.Thread(target=run, name="pack layout")
    thread.start()
    thread.join()
    if "failure" in outcome:
        raise outcome["failure"]
    return outcome["value"]


# Laying a pack out gives way to people's pages. A lower priority is not enough on its own: on a
# machine of two CPUs, any layout running beside the server made one page in a hundred take
# about twice as long, whatever its priority. So the server notes when it last began answering a
# request, in memory it shares with the worker (`time.monotonic()`, which every process on the
# machine counts alike), and before each page the layout waits until the server has had no new
# request for GIVE_WAY_QUIET seconds, but never longer than GIVE_WAY_MOST: under constant use a
# pack still moves on, a page at a time.
GIVE_WAY_QUIET = 0.05
GIVE_WAY_MOST = 0.1
GIVE_WAY_STEP = 0.01
# In the server: the shared clock, made with the worker (None until the first pack). In the
# worker: the server's clock, as handed over when it started.
_server_clock: Any = None


def note_request() -> None:
    """In the server: a request is being answered (called as each one begins)."""
    clock = _server_clock
    if clock is not None:
        clock.value = time.monotonic()


def give_way(clock: Any = None, *, sleep: Callable[[float], None] = time.sleep,
             now: Callable[[], float] = time.monotonic) -> float:
    """In the worker, before laying out the next page: wait while the server's last request
    began less than GIVE_WAY_QUIET seconds ago, for GIVE_WAY_MOST seconds at most. Returns the
    seconds waited."""
    clock = _server_clock if clock is None else clock
    steps = 0
    if clock is not None:
        while steps < round(GIVE_WAY_MOST / GIVE_WAY_STEP) \
                and now() - clock.value < GIVE_WAY_QUIET:
            sleep(GIVE_WAY_STEP)
            steps += 1
    return steps * GIVE_WAY_STEP


def _worker_started(clock: Any = None) -> None:
    """Run in the worker process as it starts: keep the server's clock (see `give_way`), lower
    its priority where a thread cannot be lowered alone, and send its log (a build that fails
    logs its traceback) to standard error, as the server's own log goes."""
    global _server_clock
    _server_clock = clock
    if not NICE_PER_THREAD:
        _lower_priority()
    logging.basicConfig(level=logging.INFO,
                        format="%(asctime)s %(levelname)s [pack worker %(process)d] %(message)s")


def executor() -> ProcessPoolExecutor:
    """The one worker process that builds packs for this process, started on first use, and
    afresh after a worker died."""
    global _executor, _server_clock
    with _lock:
        if _executor is None:
            # spawn, never fork: the server has threads, and a forked child would inherit their
            # locks held.
            context = multiprocessing.get_context("spawn")
            if _server_clock is None:
                _server_clock = context.RawValue("d", 0.0)
            _executor = ProcessPoolExecutor(
                max_workers=1, mp_context=context, initializer=_worker_started,
                initargs=(_server_clock,))
        return _executor


def _discard(broken: ProcessPoolExecutor) -> None:
    """Forget a pool whose worker died, so the next pack starts a new one."""
    global _executor
    with _lock:
        if _executor is broken:
            _executor = None
    broken.shutdown(wait=False, cancel_futures=True)


def shutdown() -> None:
    """Stop the worker: builds still queued end as failed, the one being laid out is finished."""
    global _executor
    with _lock:
        pool, _executor = _executor, None
    if pool is not None:
        pool.shutdown(wait=True, cancel_futures=True)


# Shut the pool down as the interpreter exits. Registered where concurrent.futures registers its
# own exit hook, which runs first otherwise and would wait for every queued build to be laid out.
threading._register_atexit(shutdown)  # type: ignore[attr-defined]


def folder_for(config: dict[str, Any]) -> Path:
    """Where jobs' status files and PDFs are kept: PACK_FOLDER, else `packs` beside the
    database file."""
    folder = config.get("PACK_FOLDER") or os.path.join(
        os.path.dirname(os.path.abspath(config["DATABASE"])), "packs")
    return Path(folder)


def _write_status(folder: Path, job_id: str, status: dict[str, Any]) -> None:
    """Replace the job's status file in one step, so a reader never sees half of it."""
    partial = folder / f"{job_id}.json.part"
    partial.write_text(json.dumps(status), encoding="utf-8")
    os.replace(partial, folder / f"{job_id}.json")


def status(folder: Path, job_id: str) -> dict[str, Any] | None:
    """A job's status (state, stage, pages done, owner, file name, references, and the process
    id of the worker laying it out once it has begun), or None."""
    if not JOB_ID.match(job_id):
        return None
    try:
        return json.loads((folder / f"{job_id}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def pdf_path(folder: Path, job_id: str) -> Path:
    """Where a finished job's PDF is."""
    return folder / f"{job_id}.pdf"


def _remove_old(folder: Path, now: float) -> None:
    for path in folder.glob("*"):
        try:
            if now - path.stat().st_mtime > KEEP_SECONDS:
                path.unlink()
        except OSError:
            pass  # another process removed it first


def start(folder: Path, order: PackOrder, *, owner_user_id: int, filename: str) -> str:
    """Queue the build of a pack; returns the job's id at once (the register is read by the
    worker, not here)."""
    folder.mkdir(parents=True, exist_ok=True)
    now = time.time()
    _remove_old(folder, now)
    job_id = secrets.token_urlsafe(18)
    job: dict[str, Any] = {
        "id": job_id, "state": QUEUED,
        # Another pack of this process not yet finished is the one this job waits for.
        "stage": STAGES[QUEUED] if _finished else STARTING, "pages": 0,
        "owner_user_id": owner_user_id, "filename": filename,
        "references": None,  # not known until the worker has read the register
        "committee": order.committee_name,
        "period_text": loaders.period_text(order.date_from, order.date_to),
        "started_at": now,
    }
    _write_status(folder, job_id, job)
    finished = _finished[job_id] = threading.Event()
    pool = executor()
    try:
        try:
            future = pool.submit(_build, folder, job, order)
        except BrokenProcessPool:  # its worker died since the last pack: start a new one
            _discard(pool)
            pool = executor()
            future = pool.submit(_build, folder, job, order)
    except BaseException:
        _finished.pop(job_id, None)
        raise

    def ended(done: Future[None]) -> None:
        # The worker writes how a build ended; a worker that died (or a build cancelled as the
        # server stops) cannot, so it is written here.
        try:
            failure = None if done.cancelled() else done.exception()
            if done.cancelled() or failure is not None:
                if failure is not None:
                    log.error("The audit pack %s could not be built", job_id,
                              exc_info=failure)
                if isinstance(failure, BrokenProcessPool):
                    _discard(pool)
                failed = status(folder, job_id) or job
                failed.update(state=FAILED, stage=STAGES[FAILED])
                _write_status(folder, job_id, failed)
        finally:
            # Forget the ended build (its status file says how it ended), so none are kept.
            _finished.pop(job_id, None)
            finished.set()

    future.add_done_callback(ended)
    return job_id


def _read(order: PackOrder) -> dict[str, Any]:
    """Read the pack from the register on a connection of the worker's own, as the app opens
    one, for the order's viewer."""
    if not os.path.isfile(order.connection.database):  # connecting would make an empty one
        raise FileNotFoundError(f"The register's database {order.connection.database} is missing")
    db = order.connection.open()
    try:
        return loaders.audit_pack(
            db, {"id": order.committee_id, "name": order.committee_name},
            order.date_from, order.date_to, organisation=order.organisation,
            prepared_by=order.prepared_by, purpose=order.purpose,
            recommendation=order.recommendation, marking=order.marking,
            printed_at=loaders.last_event_at(db) if order.invariant else None,
            viewer=order.viewer)
    finally:
        db.close()


def _read_register(folder: Path, job: dict[str, Any], order: PackOrder) -> dict[str, Any]:
    """The first stage of a build: say the register is being read, read the pack, then record
    the references of the decisions it prints (which the download checks against the access
    rule) as the layout begins, so they are on file before the job can be ready."""
    job.update(state=READING, stage=STAGES[READING], builder_pid=os.getpid())
    _write_status(folder, job["id"], job)
    began = time.monotonic()
    pack = _read(order)
    # How long the read held the read lock is worth knowing: a writer waits for it, and in the
    # rollback journal's mode every new reader waits behind that writer.
    log.info("The audit pack %s: read %d decisions in %.1f s", job["id"], len(pack["decisions"]),
             time.monotonic() - began)
    job.update(references=[row["reference"] for row in pack["decisions"]],
               state=BUILDING, stage=STAGES[BUILDING])
    _write_status(folder, job["id"], job)
    return pack


def _build(folder: Path, job: dict[str, Any], order: PackOrder) -> None:
    """The worker (in the worker process): read the register, lay the pack out, reporting
    pages as they are done, then save the file."""
    job_id = job["id"]

    def progress(pages: int) -> None:
        job["pages"] = pages
        if pages % 5 == 0:  # often enough to watch, rarely enough to cost nothing
            _write_status(folder, job_id, job)
        give_way()  # people's pages first

    try:
        # Read at the normal priority: the read holds the database's read lock, and a reader
        # kept off the CPU by requests would keep writers waiting for it (and, in the rollback
        # journal's mode, every reader after them). Lay out at the lower priority.
        pack = _read_register(folder, job, order)

        def lay_out() -> bytes:
            from ..pdf import builders

            return builders.build_audit_pack(pack, builders.PrintOptions(
                marking=order.marking, invariant=order.invariant, author=order.prepared_by,
                review_target_days=order.review_target_days), progress=progress)

        data = at_lower_priority(lay_out)
        partial = folder / f"{job_id}.pdf.part"
        partial.write_bytes(data)
        os.replace(partial, pdf_path(folder, job_id))
        job.update(state=READY, stage=STAGES[READY])
    except Exception:  # the person waiting is told; the details go to the log
        log.exception("The audit pack %s could not be built", job_id)
        job.update(state=FAILED, stage=STAGES[FAILED])
    _write_status(folder, job_id, job)


def wait(job_id: str, timeout: float | None = None) -> None:
    """Wait until a job started in this process has ended, its status file saying how (for the
    command line and tests); TimeoutError if it has not within `timeout` seconds."""
    finished = _finished.get(job_id)
    if finished is not None and not finished.wait(timeout):  # None: already ended
        raise TimeoutError(f"The audit pack {job_id} is still being built")

