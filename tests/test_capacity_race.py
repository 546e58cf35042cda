"""Many people take the last places at once, against a real multi-process server."""

import re
import threading
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from http.cookiejar import CookieJar

from helpers import form_fields
from sqlalchemy import func, select

from app.extensions import db
from app.models import Attendee, AttendeePart, DayPartKind

CLIENTS = 24


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def browser_session():
    return urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()), NoRedirect())


def submit_when_released(base_url, fields, barrier):
    opener = browser_session()
    page = opener.open(f"{base_url}/brescia-citta-del-noi/register", timeout=30).read().decode()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    body = urllib.parse.urlencode({"csrf_token": token, **fields}, doseq=True).encode()
    barrier.wait()  # everyone submits at the same moment
    try:
        return opener.open(f"{base_url}/brescia-citta-del-noi/register", data=body, timeout=60).status
    except urllib.error.HTTPError as answer:
        return answer.code


def test_last_places_are_never_oversold_under_parallel_submissions(gunicorn_server, event):
    lunch = event.day_part(DayPartKind.LUNCH)
    event.capacity, lunch.capacity = 10, 4
    db.session.commit()
    barrier = threading.Barrier(CLIENTS)
    people = [form_fields(event, email=f"racer{n}@example.org") for n in range(CLIENTS)]
    with ThreadPoolExecutor(CLIENTS) as pool:
        statuses = list(pool.map(lambda f: submit_when_released(gunicorn_server, f, barrier), people))

    assert statuses == [302] * CLIENTS, "everyone is registered or waitlisted, nobody gets an error"
    db.session.expire_all()
    count_by_status = dict(
        db.session.execute(select(Attendee.status, func.count()).group_by(Attendee.status)).all()
    )
    assert count_by_status == {"confirmed": 10, "waitlisted": CLIENTS - 10}
    lunch_confirmed = db.session.scalar(
        select(func.count()).select_from(AttendeePart).filter_by(day_part_id=lunch.id, status="confirmed")
    )
    assert lunch_confirmed == 4


def test_the_same_email_submitted_in_parallel_registers_once(gunicorn_server, event):
    barrier = threading.Barrier(8)
    fields = form_fields(event, email="twin@example.org")
    with ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(lambda _: submit_when_released(gunicorn_server, fields, barrier), range(8)))
    assert sorted(statuses) == [200] * 7 + [302], "one registration, seven 'already registered' pages"
    assert db.session.scalar(select(func.count()).select_from(Attendee)) == 1
