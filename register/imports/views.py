"""The import pages: upload a CSV file, see what it would do, confirm it."""
from __future__ import annotations

import os
import re
import secrets
import time
from pathlib import Path
from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_login import current_user
from itsdangerous import BadSignature, URLSafeTimedSerializer
from markupsafe import Markup
from werkzeug.wrappers import Response

from ..auth.access import requires
from ..db import get_db
from .forms import ConfirmForm, UploadForm
from .parsers import FORMATS, KINDS, Plan, check_file, upload_text
from .writers import import_file

bp = Blueprint("imports", __name__, url_prefix="/import")

# How long a previewed upload may wait for confirmation before it must be uploaded again.
UPLOAD_MAX_AGE_SECONDS = 3600
# More problems than this are counted but not all listed on the page.
PROBLEMS_SHOWN = 200
TOKEN = re.compile(r"^[A-Za-z0-9_-]{32,64}$")
EXPIRED = ("The preview had expired or was not yours, so nothing was imported. "
           "Upload the file again.")


def _signer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt="register-import-upload")


def _upload_folder() -> Path:
    """The owner-only folder (instance/imports unless IMPORT_FOLDER says) where previews wait."""
    folder = Path(current_app.config.get("IMPORT_FOLDER")
                  or Path(current_app.instance_path) / "imports")
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder


def _remove_stale_uploads(folder: Path) -> None:
    """Delete uploads nobody confirmed in time (previews abandoned half-way)."""
    cutoff = time.time() - UPLOAD_MAX_AGE_SECONDS
    for path in folder.glob("*.csv"):
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
        except FileNotFoundError:
            continue


def store_upload(text: str) -> str:
    """Keep an upload's text, readable only by the service, until it is confirmed; returns its token."""
    folder = _upload_folder()
    _remove_stale_uploads(folder)
    token = secrets.token_urlsafe(32)
    fd = os.open(folder / f"{token}.csv", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
        handle.write(text)
    return token


def upload_path(signed: str) -> tuple[Path, str] | None:
    """The stored upload and its kind for a signed reference, if it is this user's and still fresh."""
    try:
        payload = _signer().loads(signed or "", max_age=UPLOAD_MAX_AGE_SECONDS)
    except BadSignature:
        return None
    if (not isinstance(payload, dict) or payload.get("user") != current_user.id
            or payload.get("kind") not in KINDS or not TOKEN.match(str(payload.get("token")))):
        return None
    return _upload_folder() / f"{payload['token']}.csv", payload["kind"]


def kind_items(selected: str | None) -> list[dict[str, Any]]:
    """The radio items for the kinds of file, each with its short description and format link."""
    items = []
    for kind in KINDS:
        fmt = FORMATS[kind]
        hint = Markup('{} <a class="nhsuk-link" href="{}">The {} file format</a>').format(
            fmt.summary, url_for("imports.formats", _anchor=f"format-{kind}"), kind)
        items.append({"value": kind, "text": fmt.title, "checked": kind == selected,
                      "hint": {"html": hint}})
    return items


@bp.route("/", methods=["GET", "POST"])
@requires("import_data")
def index() -> str | Response:
    """Upload a file; a file that cannot be read stays here, anything else goes to the preview."""
    form = UploadForm()
    if form.validate_on_submit():
        kind = form.kind.data
        upload = form.file.data
        data = upload.read()
        plan = check_file(kind, data, get_db())
        if plan.file_problem:
            form.file.errors = [str(problem) for problem in plan.problems]
        else:
            confirm = None
            if plan.ok:
                token = store_upload(upload_text(kind, data))
                confirm = ConfirmForm(formdata=None, upload=_signer().dumps(
                    {"token": token, "user": current_user.id, "kind": kind}))
            return _preview(plan, upload.filename or "the file", confirm)
    return render_template("imports/index.html", form=form,
                           kind_items=kind_items(form.kind.data))


def _preview(plan: Plan, filename: str, confirm: ConfirmForm | None,
             changed_since: bool = False) -> str:
    return render_template(
        "imports/preview.html", plan=plan, fmt=FORMATS[plan.kind], filename=filename,
        confirm=confirm, problems=plan.problems[:PROBLEMS_SHOWN],
        problem_items=[{"text": str(problem)} for problem in plan.problems[:PROBLEMS_SHOWN]],
        more_problems=max(0, len(plan.problems) - PROBLEMS_SHOWN), changed_since=changed_since)


@bp.route("/confirm", methods=["POST"])
@requires("import_data")
def confirm() -> str | Response:
    """Check the stored upload again and, if it is still valid, write all of it."""
    form = ConfirmForm()
    found = upload_path(form.upload.data) if form.validate_on_submit() else None
    if found is None or not found[0].exists():
        flash(EXPIRED, "error")
        return redirect(url_for("imports.index"))
    path, kind = found
    try:
        text = path.read_text(encoding="utf-8")
        plan = import_file(get_db(), kind, text, actor=current_user.actor,
                           user_id=current_user.id)
    finally:
        path.unlink(missing_ok=True)
    if not plan.ok:
        # The register changed since the preview (say, someone added one of the emails).
        return _preview(plan, "the file", None, changed_since=True)
    flash(f"{FORMATS[kind].title} imported: " + "; ".join(plan.summary(done=True)) + ".",
          "success")
    return redirect(url_for("imports.index"))


@bp.route("/formats")
@requires("import_data")
def formats() -> str:
    """How to lay out each kind of import file, with an example of each."""
    return render_template("imports/formats.html", formats=[FORMATS[k] for k in KINDS])
