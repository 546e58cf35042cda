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
/form-register is the floor of a registration as the issues require it, still with the driver
alone: in one transaction it takes a place under the capacity (a conditional UPDATE of a
counter), writes the person and their confirmation message (the outbox, in the same
transaction), commits and redirects. It checks no CSRF token, validates nothing and renders
no e-mail. The capacity is split into PLACE_SHARDS counters, one taken at random, so that
registrations seldom wait for each other's lock: the most generous exact capacity check (one
counter would hold every registration in one queue until the previous one commits).
/json-checkin is the floor of a check-in as the issue asks for it: in one transaction it locks
and reads the attendee's row (our app's attendees table, by the id the wrk script sends beside
the badge; no token is verified and no desk authenticated), writes the scan and commits.
"""

import json
import os
import random
import sqlite3
import threading

from flask import Flask, jsonify, redirect, render_template, request
from jinja2 import DictLoader

app = Flask(__name__)
_local = threading.local()
PLACE_SHARDS = 64

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
    # /json-checkin's own: the floors' wrk runs number their request ids alike.
    connection.execute("CREATE TABLE bare_checkins (request_id VARCHAR(64) PRIMARY KEY, attendee_id INTEGER)")
    connection.execute(f"CREATE TABLE bare_registrations (id {key}, email VARCHAR(254), fields TEXT)")
    connection.execute("CREATE TABLE bare_places (id INTEGER PRIMARY KEY, capacity INTEGER, taken INTEGER)")
    for shard in range(1, PLACE_SHARDS + 1):
        connection.execute(f"INSERT INTO bare_places (id, capacity, taken) VALUES ({shard}, 1000000, 0)")
    connection.execute(f"CREATE TABLE bare_outbox (id {key}, registration_id INTEGER, body TEXT)")
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


@app.post("/form-register")
def form_register_endpoint():
    fields = request.form.to_dict(flat=False)
    connection = _connection()
    mark = "?" if isinstance(connection, sqlite3.Connection) else "%s"
    place = connection.execute(
        f"UPDATE bare_places SET taken = taken + 1 WHERE id = {mark} AND taken < capacity",
        (random.randint(1, PLACE_SHARDS),),
    )
    if place.rowcount != 1:
        connection.rollback()
        return redirect("/full")
    person_id = connection.execute(
        f"INSERT INTO bare_registrations (email, fields) VALUES ({mark}, {mark}) RETURNING id",
        (request.form.get("email"), json.dumps(fields)),
    ).fetchone()[0]
    connection.execute(
        f"INSERT INTO bare_outbox (registration_id, body) VALUES ({mark}, {mark})",
        (person_id, f"Thank you, {request.form.get('first_name')}: you are registered."),
    )
    connection.commit()
    return redirect(f"/thanks?fields={len(fields)}")


@app.post("/json-checkin")
def json_checkin_endpoint():
    data = request.get_json(silent=True) or {}
    connection = _connection()
    postgresql = not isinstance(connection, sqlite3.Connection)
    mark = "%s" if postgresql else "?"
    if not postgresql:  # the database's write lock, as our app's check-in takes it
        connection.execute("UPDATE attendees SET id = id WHERE id = ?", (data.get("attendee"),))
    person = connection.execute(
        f"SELECT id, first_name, last_name, status FROM attendees WHERE id = {mark}"
        + (" FOR UPDATE" if postgresql else ""),
        (data.get("attendee"),),
    ).fetchone()
    connection.execute(
        f"INSERT INTO bare_checkins (request_id, attendee_id) VALUES ({mark}, {mark})",
        (data.get("request_id"), person[0]),
    )
    connection.commit()
    return jsonify(result="green", name=f"{person[1]} {person[2]}", status=person[3])


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
