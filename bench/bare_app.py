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
/json-note/<table>/<round> is the floor of a facilitator's note save: in one transaction it
locks and reads the sheet's row (our app's note_sheets, made beforehand), looks its save id up
(a replayed save is saved once), writes the revision, updates the sheet when the save is based
on its version (else the revision is kept as a conflict: 409, as ours), commits, answers JSON.
No session, no CSRF, no role checked.
/json-arrivals?event=<id> is the floor of the arrivals list: one statement reads the event's
confirmed people with whether they have a check-in in force and their tables in the published
assignment (ARRIVALS_SQL), and the people not arrived are answered as JSON, the same fields as
ours; no session, no role checked.
"""

import datetime
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


@app.post("/json-note/<int:table_id>/<int:round>")
def json_note_endpoint(table_id: int, round: int):
    data = request.get_json(silent=True) or {}
    connection = _connection()
    postgresql = not isinstance(connection, sqlite3.Connection)
    mark = "%s" if postgresql else "?"
    where = f"cafe_table_id = {mark} AND round = {mark}"
    if not postgresql:  # the database's write lock, as our app's save takes it
        connection.execute(f"UPDATE note_sheets SET id = id WHERE {where}", (table_id, round))
    sheet_id, version = connection.execute(
        f"SELECT id, version FROM note_sheets WHERE {where}" + (" FOR UPDATE" if postgresql else ""),
        (table_id, round),
    ).fetchone()
    replayed = connection.execute(
        f"SELECT id FROM note_revisions WHERE save_id = {mark}", (data.get("save_id"),)
    ).fetchone()
    if replayed:
        connection.commit()
        return jsonify(result="saved", replayed=True)
    applies = data.get("base_version") == version
    now = datetime.datetime.now(datetime.UTC).replace(tzinfo=None)
    content = json.dumps({key: data.get(key) for key in NOTE_FIELDS})
    connection.execute(
        "INSERT INTO note_revisions (sheet_id, save_id, base_version, content, conflict, resolved, "
        f"author, created_at) VALUES ({', '.join([mark] * 8)})",
        (sheet_id, data.get("save_id"), data.get("base_version"), content, not applies, False, "bench", now),
    )
    if applies:
        connection.execute(
            f"UPDATE note_sheets SET insights = {mark}, tags = {mark}, version = version + 1, "
            f"updated_by = {mark}, updated_at = {mark} WHERE id = {mark}",
            (data.get("insights") or "", json.dumps(data.get("tags") or []), "bench", now, sheet_id),
        )
    connection.commit()
    answer = jsonify(result="saved" if applies else "conflict", version=version + applies)
    return answer, 200 if applies else 409


NOTE_FIELDS = ("insights", "proposals", "questions", "developments", "free_text", "tags")


ARRIVALS_SQL = """
SELECT a.id, a.first_name, a.last_name, a.organisation_name,
       EXISTS (SELECT 1 FROM check_ins c WHERE c.attendee_id = a.id AND c.undone_at IS NULL),
       t.name
FROM attendees a
LEFT JOIN seat_assignments s ON s.attendee_id = a.id AND s.run_id = (
    SELECT r.id FROM assignment_runs r WHERE r.event_id = a.event_id AND r.published_at IS NOT NULL
    ORDER BY r.published_at DESC, r.id DESC LIMIT 1)
LEFT JOIN cafe_tables t ON t.id = s.cafe_table_id
WHERE a.event_id = {mark} AND a.status = 'confirmed'
ORDER BY a.last_name, a.first_name, a.id, s.round
"""


@app.get("/json-arrivals")
def json_arrivals_endpoint():
    connection = _connection()
    mark = "?" if isinstance(connection, sqlite3.Connection) else "%s"
    people, arrived = {}, set()
    rows = connection.execute(ARRIVALS_SQL.format(mark=mark), (int(request.args["event"]),))
    for person_id, first_name, last_name, organisation, is_here, table_name in rows:
        person = people.get(person_id)
        if person is None:
            person = people[person_id] = {
                "id": person_id,
                "name": f"{first_name} {last_name}",
                "organisation": organisation,
                "tables": [],
            }
            if is_here:
                arrived.add(person_id)
        if table_name is not None:
            names = json.loads(table_name) if isinstance(table_name, str) else table_name
            person["tables"].append(names.get("it") or next(iter(names.values())))
    connection.commit()  # ends the read transaction, as ours does
    waiting = [person for person_id, person in people.items() if person_id not in arrived]
    return jsonify(expected=len(people), arrived=len(arrived), not_arrived=len(waiting), people=waiting)
