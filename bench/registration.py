"""Benchmark: the registration form's POST (a new attendee each time) against a bare
Flask form POST.

    python bench/registration.py [--db sqlite|postgresql] [--seconds 5] [--rounds 4] [--smoke]

First K visitors open the form (GET /register: their session cookie and CSRF token).
Then wrk (32 connections) POSTs the real form, urlencoded, as those visitors (CSRF token
and the matching Cookie header), with a new e-mail address each time, to our /register,
and the same requests to the bare app's /form, both under gunicorn with the same settings
(bench/common.py). Every answer must be the 302 of a successful registration; afterwards
the database must hold one attendee per 302 (a few more are allowed: the requests still in
progress when a timed run stopped, which the server completed and wrk never counted).

Capacities are enforced (the registration service locks the event and counts the places
on every registration) but set to 1,000,000 for the day and each day part, through a copy
of data/moca.yaml without its registration window: the run measures registrations, not
waiting lists. Each visitor comes from an address of its own (X-Forwarded-For, the app
behind one proxy), as on the real day, so the per-address rate limit stays out of the way.
The floor (a second table row): the bare app's /form-write, which writes each form as one
row and commits, against its /form, in the same run: what any registration that keeps the
person can reach under this server at most. The required floor (a third row): its
/form-register, the driver alone doing what the issues ask of a registration (a place taken
under the capacity, the person and their confirmation message written in one transaction).
The required stack (a fourth row): bench/stack_app.py's /form-register, the same work done by
Flask, a Flask-WTF form with CSRF, the Flask session and the Flask-SQLAlchemy ORM, and nothing
of ours: stack_floor_fraction is what the project's own parts leave of the required floor.
The SQL statements of one registration (the same form posted in-process, through the test
client of the production app, as bench/profile_registration.py does) are logged and kept in
the row.
Last line: registration_floor_fraction=F regs_per_s=N stack_floor_fraction=S, F our
registrations a second over the required floor's in the same run, S the required stack's.
"""

import random
import re
import sys
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import bare_app, common  # noqa: E402

SCRIPT = """
cookies = %(cookies)s
csrf_tokens = %(csrf_tokens)s
fields = %(fields)s

request = function()
  counter = counter + 1
  local i = (counter * 2 + tid) %% #cookies + 1
  local email = "bench-" .. run .. "-" .. tid .. "-" .. counter .. "%%40example.org"
  local headers = {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Cookie"] = cookies[i],
    ["X-Forwarded-For"] = string.format("10.%(octet)d.%%d.%%d", math.floor(i / 256) %% 256, i %% 256),
  }
  return wrk.format("POST", nil, headers, fields .. "&csrf_token=" .. csrf_tokens[i] .. "&email=" .. email)
end
"""


def form_fields(database) -> str:
    """Everything but the e-mail and CSRF token, as a person fills in the form: all day
    parts, three tables in order, lunch needs, a network member's organisation."""
    from app.extensions import db

    app = common.make_app(database)
    with app.app_context():
        event = common.moca_event()
        fields = [
            ("first_name", "Lùcia"),
            ("last_name", "D'Amico"),
            ("phone", "+39 030 123456"),
            ("organisation", "auser brescia"),
            ("participant_type", "network_member"),
            *[("day_parts", str(part.id)) for part in event.day_parts],
            ("choice_1", str(event.tables[2].id)),
            ("choice_2", str(event.tables[0].id)),
            ("choice_3", str(event.tables[5].id)),
            ("dietary_needs", "Senza glutine"),
            ("accessibility_needs", "Sedia a rotelle"),
            ("language", "it"),
            ("consent_privacy", "y"),
        ]
        db.session.remove()
    return urllib.parse.urlencode(fields)


def open_form(url: str) -> tuple[str, str]:
    """A visitor opens the form: (their session cookie, the form's CSRF token)."""
    with urllib.request.urlopen(url + common.EVENT + "/register", timeout=60) as answer:
        page = answer.read().decode()
        cookie = answer.headers["Set-Cookie"].split(";", 1)[0]
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    return cookie, token


def count_attendees(database) -> dict:
    from sqlalchemy import func, select

    from app.extensions import db
    from app.models import Attendee

    app = common.make_app(database)
    with app.app_context():
        by_status = select(Attendee.status, func.count()).where(Attendee.event_id == common.moca_event().id)
        return dict(db.session.execute(by_status.group_by(Attendee.status)).all())


def statements_per_registration(database, fields: str) -> list[str]:
    from bench.profile_registration import Visitors, statements_of_one

    app = common.make_app(database, RATELIMIT_STORAGE_URI="memory://")
    visitors = Visitors(app, fields)
    visitors.post(*visitors.opened_form())  # warm: the first request loads what is cached
    return statements_of_one(app, visitors)


def main() -> None:
    args = common.arguments(__doc__.splitlines()[0])
    # Enough visitors that each registers only a few times a minute at the rates we see (the
    # form allows an address 20 a minute): a smoke run of 2 seconds can reach 500 here.
    visitors = 200 if args.smoke else 2000
    with common.workdir("registration") as workdir:
        event_file = common.raised_capacity_event_file(workdir)
        with common.BenchDatabase(
            args.db, "registration", workdir, event_file, pg_url=args.pg_url, others=args.others
        ) as database:
            fields = form_fields(database)
            bare_app.create_floor_table(database.url)
            env = dict(common.app_env(database.url), PROXY_COUNT="1")
            with (
                common.Server("wsgi:app", env, workdir, health_path=common.EVENT + "/register") as server,
                common.bare_server(workdir, database.url) as bare_server,
                common.stack_server(workdir, database.url) as stack_server,
            ):
                with ThreadPoolExecutor(8) as pool:
                    sessions = list(pool.map(open_form, [server.url] * visitors))
                script = common.write_lua(
                    workdir,
                    "register",
                    SCRIPT
                    % {
                        "cookies": common.lua_list(cookie for cookie, _ in sessions),
                        "csrf_tokens": common.lua_list(token for _, token in sessions),
                        "fields": common.lua_string(fields),
                        "octet": random.randrange(256),  # another run, other addresses
                    },
                )
                result = common.compare(
                    server,
                    common.EVENT + "/register",
                    bare_server,
                    "/form",
                    script,
                    args.seconds,
                    args.rounds,
                    args.warmup,
                )
                floor = common.compare(
                    bare_server, "/form-write", bare_server, "/form", script, args.seconds, 1
                )
                required = common.compare(
                    bare_server, "/form-register", bare_server, "/form", script, args.seconds, 1
                )
                stack = common.compare(
                    stack_server, "/form-register", bare_server, "/form-register", script, args.seconds, 1
                )
            # The server has stopped, letting the requests in progress finish: count.
            by_status = count_attendees(database)
            statements = statements_per_registration(database, fields)
    ours, bare = result.ours, result.bare
    redirects = sum(run.statuses.get(302, 0) for run, _ in result.rounds + result.warmups)
    attendees = sum(by_status.values())
    in_flight = attendees - redirects
    runs = len(result.rounds) + len(result.warmups)
    common.log(common.describe("registration POST /register", ours))
    common.log(common.describe("bare POST /form", bare))
    common.log(
        f"visitors: {visitors}; 302 answers (warm-up included): {redirects}; attendees in the "
        f"database: {attendees} {by_status}; completed after a run stopped: {in_flight}"
    )
    problems = []
    if ours.errors or set(ours.statuses) != {302}:
        problems.append(f"answers other than 302: {ours.statuses}, socket errors {ours.socket_errors}")
    if bare.errors:
        problems.append(f"bare app errors: {bare.statuses}, socket errors {bare.socket_errors}")
    if not 0 <= in_flight <= runs * common.CONNECTIONS:
        problems.append(f"{redirects} registrations answered but {attendees} attendees stored")
    if set(by_status) != {"confirmed"}:
        problems.append(f"not everyone is confirmed: {by_status}")
    for name, run in (("floor", floor), ("required floor", required), ("required stack", stack)):
        if run.ours.errors or set(run.ours.statuses) != {302}:
            problems.append(f"{name}: answers other than 302: {run.ours.statuses}")
    for problem in problems:
        common.log(f"INVALID RUN: {problem}")
    floor_fraction = common.ratio(ours.rps, required.ours.rps)
    for statement in statements:
        common.log(f"  SQL {statement}")
    common.log(f"statements per registration (in-process, BEGIN and COMMIT aside): {len(statements)}")
    row = common.row(
        "registration (POST /register)",
        args.db,
        result,
        floor_fraction=round(floor_fraction, 3),
        statements=len(statements),
        visitors=visitors,
        redirects=redirects,
        attendees=attendees,
        in_flight=in_flight,
        problems=problems,
    )
    common.log(common.describe("floor: bare POST /form-write (one INSERT, COMMIT)", floor.ours))
    common.log(
        f"floor_ratio={common.ratio(floor.ours.rps, floor.bare.rps):.3f}: no registration that keeps "
        "the person can score more than this under this server; ours against the floor: "
        f"{common.ratio(ours.rps, floor.ours.rps):.3f}"
    )
    common.log(common.describe("required floor: bare POST /form-register", required.ours))
    common.log(
        f"required_floor_ratio={common.ratio(required.ours.rps, required.bare.rps):.3f}: the driver "
        "alone taking a place under the capacity and writing the person and their message in one "
        f"transaction; ours against it (registration_floor_fraction): {floor_fraction:.3f}"
    )
    stack_fraction = common.ratio(stack.ours.rps, stack.bare.rps)
    common.log(common.describe("required stack: bench/stack_app.py POST /form-register", stack.ours))
    common.log(
        f"stack_floor_fraction={stack_fraction:.3f}: Flask, Flask-WTF (CSRF), the session and the "
        "Flask-SQLAlchemy ORM doing the required floor's work, against the floor in the same run; "
        f"ours against the required stack: {common.ratio(ours.rps, stack.ours.rps):.3f}"
    )
    floor_row = common.row("floor: bare app, one INSERT + COMMIT (bench/bare_app.py)", args.db, floor)
    required_row = common.row(
        "floor: bare app, place + person + message, one transaction (bench/bare_app.py)", args.db, required
    )
    stack_row = common.row(
        "required stack: Flask, Flask-WTF, session, Flask-SQLAlchemy; the same work "
        "(bench/stack_app.py; bare: /form-register)",
        args.db,
        stack,
        floor_fraction=round(stack_fraction, 3),
    )
    common.finish(
        args,
        {"name": "registration", "rows": [row, floor_row, required_row, stack_row]},
        common.headline(
            registration_floor_fraction=floor_fraction,
            regs_per_s=ours.rps,
            stack_floor_fraction=stack_fraction,
        ),
        not problems,
    )


if __name__ == "__main__":
    main()
