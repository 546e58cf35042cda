"""Benchmark: one event's pages with 49 other events and their 100,000 attendees beside it.

    python bench/many_events.py [--db sqlite|postgresql] [--smoke] [--report PATH]

In this process (Flask's test client, one request at a time: the question is what each
request costs, not how many a server answers), on a fresh database with the MO.CA day and
2,000 of its attendees, measures the median time of: the registration form, a
registration, a scan (first check-in) through the API, the organisers' attendee list and a
search in it. Then loads 49 more events (ten organiser groups of five) with 2,000 attendees
each, and measures the same requests of the MO.CA day again. Each figure is reported as
that growth: the median with the other events loaded over the median with the MO.CA day
alone, measured in the same run (1.0: as fast as with one event).

Last line: many_events_growth_registration=G many_events_growth_scan=G many_events_growth_list=G
"""

import re
import statistics
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from werkzeug.datastructures import MultiDict  # noqa: E402

from bench import common  # noqa: E402

PASSWORD = "bench password 123"
SLUG = common.EVENT.strip("/")


def other_event_file(text: str, number: int) -> str:
    """The MO.CA file as another event: its own slug and name, same tables and places."""
    text = text.replace(f"slug: {SLUG}", f"slug: event-{number:02d}", 1)
    name = f"name:\n  it: Evento {number}\n  en: Event {number}"
    return re.sub(r"^name:\n  it: .*\n  en: .*$", name, text, count=1, flags=re.M)


def form_fields(event) -> list[tuple[str, str]]:
    return [
        ("first_name", "Lùcia"),
        ("last_name", "D'Amico"),
        ("organisation", "auser brescia"),
        ("participant_type", "network_member"),
        *[("day_parts", str(part.id)) for part in event.day_parts],
        ("choice_1", str(event.tables[2].id)),
        ("choice_2", str(event.tables[0].id)),
        ("choice_3", str(event.tables[5].id)),
        ("language", "it"),
        ("consent_privacy", "y"),
    ]


BASE = "https://127.0.0.1"  # PUBLIC_URL's host: production refuses any other
REFERER = {"Referer": f"{BASE}/"}  # over HTTPS, CSRF protection also checks where a form came from


class Measures:
    """The requests measured, with what each needs (a signed-in organiser, a desk token,
    fresh badges to scan)."""

    def __init__(self, app, fields: list, badges: list[str], desk_token: str, admin_email: str):
        self.app, self.fields, self.badges, self.desk = app, fields, iter(badges), desk_token
        self.public = app.test_client()
        page = self.public.get(f"{common.EVENT}/register", base_url=BASE).get_data(as_text=True)
        self.csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        self.admin = app.test_client()
        login = self.admin.get("/staff/login", base_url=BASE).get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login).group(1)
        credentials = {"csrf_token": token, "email": admin_email, "password": PASSWORD}
        answer = self.admin.post("/staff/login", data=credentials, base_url=BASE, headers=REFERER)
        assert answer.status_code == 302, "the organiser could not sign in"

    def form(self):
        return self.public.get(f"{common.EVENT}/register", base_url=BASE)

    def registration(self):
        data = MultiDict(
            [*self.fields, ("csrf_token", self.csrf), ("email", f"{uuid.uuid4().hex}@example.org")]
        )
        return self.public.post(f"{common.EVENT}/register", data=data, base_url=BASE, headers=REFERER)

    def scan(self):
        body = {"code": next(self.badges), "request_id": str(uuid.uuid4())}
        return self.public.post(
            "/api/v1/scan", json=body, headers={"Authorization": f"Bearer {self.desk}"}, base_url=BASE
        )

    def attendee_list(self):
        return self.admin.get(f"{common.EVENT}/admin/", base_url=BASE)

    def search(self):
        return self.admin.get(f"{common.EVENT}/admin/?q=Bianchi+17", base_url=BASE)


EXPECTED = {"form": 200, "registration": 302, "scan": 200, "attendee_list": 200, "search": 200}


def measure(measures: Measures, repeats: int) -> dict[str, float]:
    """Median milliseconds of each request (after one warm-up request each)."""
    medians = {}
    for name, expected in EXPECTED.items():
        request = getattr(measures, name)
        answer = request()
        assert answer.status_code == expected, f"{name}: {answer.status_code}"
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            answer = request()
            times.append((time.perf_counter() - start) * 1000)
            assert answer.status_code == expected, f"{name}: {answer.status_code}"
        medians[name] = statistics.median(times)
    return medians


def prepare(app, attendees: int) -> tuple[list, list[str], str]:
    """The MO.CA day's attendees, a desk device and an organiser: (the form's fields, fresh
    badges to scan, the desk's token)."""
    from sqlalchemy import select

    from app.checkin.desks import create_desk_device
    from app.extensions import db
    from app.models import Event
    from app.staff.services import create_user

    with app.app_context():
        event = db.session.execute(select(Event).filter_by(slug=SLUG)).scalar_one()
        ids = common.insert_attendees(event, attendees)
        badges = common.badge_tokens(event, ids[-attendees // 2 :])  # scanned: first check-ins
        desk_token = create_desk_device(event, "Banco 1")[1]
        create_user("organiser@example.org", "Org", PASSWORD, "admin", events=[event])
        fields = form_fields(event)
        db.session.remove()
    return fields, badges, desk_token


def load_others(app, text: str, others: int, per_event: int) -> tuple[int, int]:
    """``others`` more events, five to an organiser group, each with its attendees:
    (events, attendees) in the database."""
    from sqlalchemy import func, select
    from sqlalchemy import text as sql

    from app.events import organisers
    from app.events.services import load_event
    from app.extensions import db
    from app.models import Attendee, Event

    with app.app_context():
        groups = [organisers.create_group(f"Comune {n}") for n in range(1 + others // 5)]
        for number in range(1, others + 1):
            other = load_event(
                other_event_file(text, number), f"e{number}.yaml", organiser=groups[number // 5]
            )
            common.insert_attendees(other, per_event, prefix=f"e{number}")
        # As autovacuum would within a minute of such a load (PostgreSQL), and as `ANALYZE`
        # does for SQLite: the planner's statistics describe the tables as they now are.
        db.session.execute(sql("ANALYZE"))
        db.session.commit()
        counts = (
            db.session.scalar(select(func.count()).select_from(Event)),
            db.session.scalar(select(func.count()).select_from(Attendee)),
        )
        db.session.remove()
    return counts


def main() -> None:
    args = common.arguments(__doc__.splitlines()[0], http=False)
    others, per_event, repeats = (3, 20, 5) if args.smoke else (args.others, common.OTHER_ATTENDEES, 60)
    with common.workdir("many-events") as workdir:
        event_file = common.raised_capacity_event_file(workdir)
        with common.BenchDatabase(
            args.db, "many_events", workdir, event_file, pg_url=args.pg_url
        ) as database:
            app = common.make_app(database, RATELIMIT_ENABLED=False)  # one address sends everything
            # Half the MO.CA day's attendees are scanned (fresh badges for both measures).
            fields, badges, desk_token = prepare(app, max(per_event, 4 * (repeats + 1)))
            # Outside any app context: each request gets its own, as under a server.
            measures = Measures(app, fields, badges, desk_token, "organiser@example.org")
            alone = measure(measures, repeats)
            common.log(f"the MO.CA day alone: {alone}")
            started = time.perf_counter()
            events, total = load_others(app, event_file.read_text(encoding="utf-8"), others, per_event)
            took = time.perf_counter() - started
            common.log(f"loaded {others} more events, {total} attendees in all, in {took:.0f} s")
            beside = measure(measures, repeats)
            common.log(f"with {events} events: {beside}")
    growth = {name: round(beside[name] / alone[name], 3) for name in EXPECTED}
    report = {
        "events": events,
        "attendees": total,
        "median_ms_alone": alone,
        "median_ms_beside_others": beside,
        "growth": growth,
    }
    for name in EXPECTED:
        times = f"{alone[name]:.2f} ms alone, {beside[name]:.2f} ms beside {events - 1} events"
        common.log(f"{name}: {times}: x{growth[name]}")
    line = common.headline(
        many_events_growth_registration=growth["registration"],
        many_events_growth_scan=growth["scan"],
        many_events_growth_list=growth["attendee_list"],
    )
    common.finish(args, report, line)


if __name__ == "__main__":
    main()
