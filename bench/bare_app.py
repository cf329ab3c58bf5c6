"""The bare twin of the register's pages: Flask, sqlite3 and a Jinja template, one page of 50
decisions read with one query on a connection per request (as Flask's tutorial does), served by
waitress with the same number of threads as `flask serve`.

Run as `python -m bench.bare_app DATABASE PORT`.
"""
from __future__ import annotations

import sqlite3
import sys

from flask import Flask, g, render_template

THREADS = 8  # as register/cli.py serves
PAGE_SQL = (
    "SELECT decisions.reference, decisions.title, committees.name AS committee,"
    " decisions.meeting_date, decisions.choice, decisions.total_value_pence, decisions.status,"
    " decisions.flag_count FROM decisions JOIN committees ON committees.id = decisions.committee_id"
    " ORDER BY decisions.meeting_date DESC, decisions.id DESC LIMIT 50")


def create_bare_app(database: str) -> Flask:
    """A Flask app with one page: the 50 latest decisions."""
    app = Flask(__name__)
    app.config["DATABASE"] = database

    def get_db() -> sqlite3.Connection:
        if "db" not in g:
            g.db = sqlite3.connect(app.config["DATABASE"])
            g.db.row_factory = sqlite3.Row
        return g.db

    @app.teardown_appcontext
    def close_db(_exc: BaseException | None = None) -> None:
        db = g.pop("db", None)
        if db is not None:
            db.close()

    @app.get("/")
    def decisions() -> str:
        return render_template("bare_page.html", rows=get_db().execute(PAGE_SQL).fetchall())

    return app


def main(argv: list[str]) -> int:
    """Serve the bare page on 127.0.0.1:PORT."""
    from waitress import serve

    database, port = argv[0], int(argv[1])
    serve(create_bare_app(database), host="127.0.0.1", port=port, threads=THREADS,
          _quiet=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
