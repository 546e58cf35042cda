"""Groups and single people take the last places at once, against a real multi-process
server (as tests/test_capacity_race.py): no place oversold, no group split, no place left
free while someone who fits in it waits; then cancellations at once move the line exactly."""

import re
import threading
import urllib.error
import urllib.parse
from concurrent.futures import ThreadPoolExecutor

from helpers import form_fields, part_ids
from sqlalchemy import select
from test_capacity_race import browser_session, submit_when_released

from app.extensions import db
from app.models import Attendee, DayPartKind
from app.registration.tokens import manage_token

BASE = "/brescia-citta-del-noi"
GROUPS, GROUP_SIZE, SINGLES, CAPACITY = 5, 3, 8, 10


def group_fields(event, n):
    fields = {
        "contact_name": f"Contatto {n}",
        "contact_email": f"contatto{n}@example.org",
        "language": "it",
        "consent_privacy": "y",
    }
    for row in range(GROUP_SIZE):
        fields.update(
            {
                f"members-{row}-first_name": "Membro",
                f"members-{row}-last_name": f"Gruppo {n}-{row}",
                f"members-{row}-email": f"gruppo{n}.{row}@example.org",
                f"members-{row}-participant_type": "network_member",
                f"members-{row}-day_parts": [str(i) for i in part_ids(event, DayPartKind.PLENARY)],
            }
        )
    return fields


def submit_group_when_released(base_url, fields, barrier):
    opener = browser_session()
    page = opener.open(f"{base_url}{BASE}/register/group", timeout=30).read().decode()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    body = urllib.parse.urlencode({"csrf_token": token, **fields}, doseq=True).encode()
    barrier.wait()
    try:
        return opener.open(f"{base_url}{BASE}/register/group", data=body, timeout=60).status
    except urllib.error.HTTPError as answer:
        return answer.code


def cancel_when_released(base_url, token, barrier):
    opener = browser_session()
    page = opener.open(f"{base_url}{BASE}/r/{token}/cancel", timeout=30).read().decode()
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    barrier.wait()
    body = urllib.parse.urlencode({"csrf_token": csrf}).encode()
    try:
        return opener.open(f"{base_url}{BASE}/r/{token}/cancel", data=body, timeout=60).status
    except urllib.error.HTTPError as answer:
        return answer.code


def assert_line_is_exact():
    """Nobody over capacity, every group whole, and no free place that someone waiting fits."""
    db.session.expire_all()
    people = db.session.scalars(select(Attendee).where(Attendee.status != "cancelled")).all()
    confirmed = [p for p in people if p.status == "confirmed"]
    assert len(confirmed) <= CAPACITY
    groups: dict = {}
    for person in people:
        if person.group_id is not None:
            groups.setdefault(person.group_id, set()).add(person.status)
    assert all(len(found) == 1 for found in groups.values()), f"a group was split: {groups}"
    free = CAPACITY - len(confirmed)
    waiting_singles = [p for p in people if p.status == "waitlisted" and p.group_id is None]
    waiting_groups = [g for g, found in groups.items() if found == {"waitlisted"}]
    assert not waiting_singles or free == 0, "a single waits while a place is free"
    assert not waiting_groups or free < GROUP_SIZE, "a group waits while places for all of it are free"
    return confirmed


def test_groups_and_singles_race_for_the_last_places(gunicorn_server, event):
    event.capacity = CAPACITY
    event.group_registration = {"policy": "all_or_nothing", "max_size": 10}
    db.session.commit()
    barrier = threading.Barrier(GROUPS + SINGLES, timeout=60)
    singles = [form_fields(event, email=f"single{n}@example.org") for n in range(SINGLES)]
    with ThreadPoolExecutor(GROUPS + SINGLES) as pool:
        answers = [
            pool.submit(submit_group_when_released, gunicorn_server, group_fields(event, n), barrier)
            for n in range(GROUPS)
        ]
        answers += [pool.submit(submit_when_released, gunicorn_server, fields, barrier) for fields in singles]
        statuses = [answer.result() for answer in answers]
    assert statuses == [302] * (GROUPS + SINGLES), "everyone is registered or waiting, nobody gets an error"
    assert db.session.query(Attendee).count() == GROUPS * GROUP_SIZE + SINGLES
    confirmed = assert_line_is_exact()

    # Everyone confirmed cancels at once: the places freed go down the line, exactly.
    tokens = [manage_token(person) for person in confirmed]
    barrier = threading.Barrier(len(tokens), timeout=60)
    with ThreadPoolExecutor(len(tokens)) as pool:
        statuses = list(pool.map(lambda t: cancel_when_released(gunicorn_server, t, barrier), tokens))
    assert statuses == [302] * len(tokens)
    promoted = assert_line_is_exact()
    assert promoted, "the freed places went to people waiting"
