"""Board audit packs built in the background, one at a time per process.

The request that asks for a pack reads the register (one short read transaction) and hands the
data to a single worker thread, then answers at once: other people's pages keep loading while a
large pack is laid out. Each build is a job with a status file and, when finished, the PDF, both
in a folder beside the database (the instance folder); nothing is written to the database, so the
pages that show a job's progress only read.

A job belongs to the account that asked for it, and records the references of the decisions it
prints, so the file is served only to that account while it may still read every one of them.
"""
from __future__ import annotations

import json
import logging
import os
import re
import secrets
import time
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

from ..pdf import builders

log = logging.getLogger(__name__)

QUEUED, BUILDING, READY, FAILED = "queued", "building", "ready", "failed"
STAGES = {
    QUEUED: "Waiting for the pack before it to finish",
    BUILDING: "Laying out the pages",
    READY: "Ready to download",
    FAILED: "The pack could not be built",
}
KEEP_SECONDS = 24 * 60 * 60  # a finished job's files are removed a day later
JOB_ID = re.compile(r"^[A-Za-z0-9_-]{20,40}$")

# One build at a time in this process: the worker has the CPU it needs and requests keep theirs.
_executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="audit-pack")
_futures: dict[str, Future[None]] = {}


def executor() -> ThreadPoolExecutor:
    """The one worker that builds packs in this process."""
    return _executor


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
    """A job's status (state, stage, pages done, owner, file name, references), or None."""
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


def start(folder: Path, pack: dict[str, Any], options: builders.PrintOptions, *,
          owner_user_id: int, filename: str) -> str:
    """Queue the build of a loaded pack; returns the job's id at once."""
    folder.mkdir(parents=True, exist_ok=True)
    now = time.time()
    _remove_old(folder, now)
    job_id = secrets.token_urlsafe(18)
    job: dict[str, Any] = {
        "id": job_id, "state": QUEUED, "stage": STAGES[QUEUED], "pages": 0,
        "owner_user_id": owner_user_id, "filename": filename,
        "references": [row["reference"] for row in pack["decisions"]],
        "committee": pack["committee"]["name"], "period_text": pack["period_text"],
        "started_at": now,
    }
    _write_status(folder, job_id, job)
    future = _executor.submit(_build, folder, job, pack, options)
    _futures[job_id] = future
    # Forget a finished build (its status file says how it ended), so the process keeps none.
    future.add_done_callback(lambda _done: _futures.pop(job_id, None))
    return job_id


def _build(folder: Path, job: dict[str, Any], pack: dict[str, Any],
           options: builders.PrintOptions) -> None:
    """The worker: lay the pack out, reporting pages as they are done, then save the file."""
    job_id = job["id"]
    job.update(state=BUILDING, stage=STAGES[BUILDING])
    _write_status(folder, job_id, job)

    def progress(pages: int) -> None:
        job["pages"] = pages
        if pages % 5 == 0:  # often enough to watch, rarely enough to cost nothing
            _write_status(folder, job_id, job)

    try:
        data = builders.build_audit_pack(pack, options, progress=progress)
        partial = folder / f"{job_id}.pdf.part"
        partial.write_bytes(data)
        os.replace(partial, pdf_path(folder, job_id))
        job.update(state=READY, stage=STAGES[READY])
    except Exception:  # the person waiting is told; the details go to the log
        log.exception("The audit pack %s could not be built", job_id)
        job.update(state=FAILED, stage=STAGES[FAILED])
    _write_status(folder, job_id, job)


def wait(job_id: str, timeout: float | None = None) -> None:
    """Wait for a job started in this process to finish (for the command line and tests)."""
    future = _futures.get(job_id)
    if future is not None:  # None: already finished
        future.result(timeout)

