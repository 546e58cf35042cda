"""The baseline: a bare Flask app, served by gunicorn exactly like ours (bench/common.py).

Each route does the least an endpoint of its kind does: /json answers a small JSON
document (GET, or POST with a JSON body it parses), /html renders a small template, /form
parses a urlencoded POST and redirects, as a successful registration does.

/json-write is the floor of a check-in, not a baseline: it parses the same JSON, writes one
row and commits it durably (the database driver directly, no ORM, no lock, no read) into
the database named by BARE_DATABASE_URL (postgresql://... or sqlite:///path, with our
app's SQLite settings), then answers. No check-in can do less and still record the scan.
/form-write is the floor of a registration in the same way: it parses the same form, writes
it as one row, commits, and redirects. No registration can do less and still keep the person.
"""

import json
import os
import sqlite3
import threading

from flask import Flask, jsonify, redirect, render_template, request
from jinja2 import DictLoader

app = Flask(__name__)
_local = threading.local()

PAGE = """<!doctype html>
<html lang="it">
<head><meta charset="utf-8"><title>{{ title }}</title></head>
<body>
  <h1>{{ title }}</h1>
  <ul>{% for item in items %}<li>{{ item }}</li>{% endfor %}</ul>
</body>
</html>
"""
# Loaded and compiled once, then cached, as our app's templates are.
app.jinja_loader = DictLoader({"page.html": PAGE})


@app.route("/json", methods=["GET", "POST"])
def json_endpoint():
    data = request.get_json(silent=True) or {}
    return jsonify(result="green", reason="ok", code=data.get("code"))


@app.get("/html")
def html_endpoint():
    return render_template("page.html", title="Programma", items=["Accreditamento", "Plenaria", "Pranzo"])


@app.post("/form")
def form_endpoint():
    fields = request.form.to_dict(flat=False)
    return redirect(f"/thanks?fields={len(fields)}")


def connect(url: str):
    if url.startswith("postgresql"):
        import psycopg

        return psycopg.connect(url)
    connection = sqlite3.connect(url.removeprefix("sqlite:///"), timeout=30, isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")
    connection.isolation_level = ""  # back to implicit transactions, committed below
    return connection


def create_floor_table(url: str) -> None:
    """Before the server starts: its threads creating them at once would collide."""
    connection = connect(url)
    key = "SERIAL PRIMARY KEY" if url.startswith("postgresql") else "INTEGER PRIMARY KEY"
    connection.execute("CREATE TABLE bare_scans (request_id VARCHAR(64) PRIMARY KEY, code VARCHAR(200))")
    connection.execute(f"CREATE TABLE bare_registrations (id {key}, email VARCHAR(254), fields TEXT)")
    connection.commit()
    connection.close()


def _connection():
    """One connection per worker thread, opened on first use."""
    if getattr(_local, "connection", None) is None:
        _local.connection = connect(os.environ["BARE_DATABASE_URL"])
    return _local.connection


@app.post("/form-write")
def form_write_endpoint():
    fields = request.form.to_dict(flat=False)
    connection = _connection()
    placeholder = "?" if isinstance(connection, sqlite3.Connection) else "%s"
    connection.execute(
        f"INSERT INTO bare_registrations (email, fields) VALUES ({placeholder}, {placeholder})",
        (request.form.get("email"), json.dumps(fields)),
    )
    connection.commit()
    return redirect(f"/thanks?fields={len(fields)}")


@app.post("/json-write")
def json_write_endpoint():
    data = request.get_json(silent=True) or {}
    connection = _connection()
    placeholder = "?" if isinstance(connection, sqlite3.Connection) else "%s"
    connection.execute(
        f"INSERT INTO bare_scans (request_id, code) VALUES ({placeholder}, {placeholder})",
        (data.get("request_id"), data.get("code")),
    )
    connection.commit()
    return jsonify(result="green", reason="ok", code=data.get("code"))
