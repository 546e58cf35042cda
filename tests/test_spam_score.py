"""Every kind of message the app sends scores below 1.0 with SpamAssassin's local tests.

SpamAssassin (Debian's `spamassassin`, installed by scripts/system-deps.sh) reads the raw
bytes a real SMTP server received, all in one process (`--mbox`), as it starts slowly.
"""

import email
import email.policy
import os
import re
import shutil
import subprocess
from datetime import timedelta

import pytest
from conftest import MOCA, staff_account
from helpers import register_someone, registration_data
from sqlalchemy import select

from app.checkin.services import check_in_attendee
from app.events.services import load_event
from app.extensions import db
from app.mail import announcements, schedule_update
from app.mail import sender as mail_sender
from app.mail.reminders import queue_reminders
from app.models import Audience, MailKind, OutboxMessage, Role
from app.registration.cancellation import cancel_registration
from app.registration.changes import update_registration
from app.registration.groups import Contact, register_group
from app.registration.resending import reissue_badge_for, send_manage_link
from app.results import feedback
from app.staff.services import invite_user, request_password_link
from app.worldcafe import services as world_cafe

SPAMASSASSIN = shutil.which("spamassassin")
LIMIT = 1.0
MBOX_FROM = b"From noiday@localhost Fri Jan  1 00:00:00 2027\n"

pytestmark = pytest.mark.skipif(
    SPAMASSASSIN is None and os.geteuid() != 0,
    reason="needs Debian's spamassassin: run scripts/system-deps.sh as root (CI does)",
)


@pytest.fixture
def smtp(app, smtp_server):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.port, MAIL_TIMEOUT=5)
    yield smtp_server
    app.config.update(MAIL_SERVER="localhost", MAIL_PORT=25)


def send_every_kind(event, language):
    """One message of each kind, through the services that send them, for people writing in language."""
    lunch = next(p for p in event.day_parts if p.kind == "lunch")
    lunch.capacity = 1
    db.session.commit()
    first = register_someone(event, language=language, first_name="Francesca")  # confirmation
    second = register_someone(event, language=language, first_name="Matteo")  # waiting list for lunch
    cancel_registration(first)  # cancellation; Matteo gets the place: promotion
    third = register_someone(event, language=language, first_name="Chiara")
    update_registration(third, registration_data(event, email=third.email, language=language))
    send_manage_link(third)
    reissue_badge_for(third, "organiser@example.org", third.badge_version)
    world_cafe.publish(world_cafe.run_assignment(event, "organiser@example.org"), "organiser@example.org")
    queue_reminders(event)
    text = announcements.AnnouncementText(
        subject={language: "Parcheggio e ingresso" if language == "it" else "Parking and entrance"},
        body={language: announcement_body(language)},
    )
    announcements.send(event, Audience.CONFIRMED, text, f"spam-score-{language}", "organiser@example.org")
    invite_user(
        f"desk.{language}@example.org", "Paola Rossi", Role.DESK, language, "admin@example.org", event
    )
    staff_account(f"admin.{language}@example.org", "Luca Verdi", "a long enough password", "admin")
    request_password_link(f"admin.{language}@example.org")
    assert second.status == "confirmed"
    register_a_group(event, language)
    send_feedback(event, [second, third])
    move_the_day(event)


def register_a_group(event, language):
    """A contact registers two colleagues, one without an address (her badge goes to the
    contact): the group's link comes to the contact (group_registered)."""
    contact = Contact(name="Anna Rossi", email=f"anna.{language}@auser.example.org", language=language)
    members = [
        registration_data(event, first_name="Lucia", language=language),
        registration_data(event, first_name="Piera", email=None, language=language),
    ]
    register_group(event, contact, members)


def move_the_day(event):
    """The organisers load a file that starts the day half an hour earlier, and tell people."""
    load_event(MOCA.read_text(encoding="utf-8").replace('- time: "10:00"', '- time: "09:30"'), "moca.yaml")
    plan = schedule_update.schedule_plan(event)
    assert schedule_update.send_schedule_update(event, plan.fingerprint) == len(plan.attendees) > 0


def send_feedback(event, arrived):
    """The questionnaire after the day to those who checked in, and its one reminder."""
    for attendee in arrived:
        check_in_attendee(event, attendee.id, None, f"spam-score-{attendee.id}", desk_name="Desk 1")
    after = feedback.opens_at(event) + timedelta(minutes=1)
    assert feedback.send_questionnaire(event, now=after) == len(arrived)
    later = after + timedelta(days=event.feedback["reminder_after_days"])
    assert feedback.send_reminder(event, now=later) == len(arrived)


def announcement_body(language):
    if language == "it":
        return (
            "Il parcheggio del MO.CA è chiuso per lavori: vi consigliamo di arrivare in autobus "
            "(linee 2 e 3, fermata Moretto) o in bicicletta.\n\n"
            "L'ingresso è dal cortile di via Moretto; l'accreditamento apre alle 10."
        )
    return (
        "The MO.CA car park is closed for works: we suggest coming by bus (lines 2 and 3, "
        "stop Moretto) or by bike.\n\nThe entrance is from the courtyard in via Moretto; "
        "registration opens at 10."
    )


def spam_scores(raw_messages: list[bytes]) -> dict[str, tuple[float, str]]:
    """SpamAssassin's score and rules for each message, by Message-ID; local tests only (-L:
    no network, no DNS), no Bayes (what it learnt on this machine would vary the score).
    One process reads them all as an mbox (its output order varies)."""
    if SPAMASSASSIN is None:
        pytest.fail("spamassassin is missing: run scripts/system-deps.sh (root installs it)")
    mbox = b"".join(
        b"From noiday@localhost Fri Jan  1 00:00:00 2027\n" + _mbox_body(raw) for raw in raw_messages
    )
    result = subprocess.run(
        [SPAMASSASSIN, "-t", "-L", "--mbox", "--cf=use_bayes 0"],
        input=mbox,
        capture_output=True,
        timeout=120,
        check=True,
    )
    scored = {}
    for chunk in re.split(rb"^" + re.escape(MBOX_FROM), result.stdout, flags=re.M)[1:]:
        headers = email.message_from_bytes(chunk, policy=email.policy.default)
        status = " ".join(str(headers["X-Spam-Status"]).split())
        score = float(re.search(r"score=(-?[\d.]+)", status).group(1))
        scored[headers["Message-ID"]] = (score, status.partition("tests=")[2])
    assert len(scored) == len(raw_messages), result.stderr.decode()[-2000:]
    return scored


def _mbox_body(raw: bytes) -> bytes:
    """mboxrd: a body line starting with "From " (or ">From ") gets one more ">"."""
    lines = raw.replace(b"\r\n", b"\n").split(b"\n")
    quoted = [b">" + line if re.match(rb">*From ", line) else line for line in lines]
    return b"\n".join(quoted).rstrip(b"\n") + b"\n\n"


def received_by_kind(smtp_server) -> dict[str, list[bytes]]:
    kinds = dict(db.session.execute(select(OutboxMessage.message_id, OutboxMessage.kind)).all())
    by_kind = {}
    for envelope in smtp_server.messages:
        by_kind.setdefault(kinds[message_id(envelope.content)], []).append(envelope.content)
    return by_kind


@pytest.mark.parametrize("language", ["it", "en"])
def test_every_kind_of_message_scores_below_one_with_spamassassin(app, event, smtp, language, capsys):
    send_every_kind(event, language)
    while mail_sender.deliver_due() != (0, 0):
        pass
    by_kind = received_by_kind(smtp)
    assert set(by_kind) == set(MailKind), "every kind of message was sent"
    firsts = {kind: by_kind[kind][0] for kind in sorted(by_kind)}
    scored = spam_scores(list(firsts.values()))
    scores = {kind: scored[message_id(raw)] for kind, raw in firsts.items()}
    with capsys.disabled():
        print(f"\nSpamAssassin ({language}): " + ", ".join(f"{k} {s:.1f}" for k, (s, _) in scores.items()))
    too_high = {kind: (score, rules) for kind, (score, rules) in scores.items() if score >= LIMIT}
    assert not too_high, too_high


def message_id(raw: bytes) -> str:
    return email.message_from_bytes(raw, policy=email.policy.default)["Message-ID"]
