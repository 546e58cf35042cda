"""The feedback questionnaire after the day: sent once to each person who checked in, at
most one reminder, and anonymous answers.

Who gets it: a check-in in force, an e-mail address, not sent yet, and only once the day
has ended plus the event file's ``send_after_hours``. As for the reminder before the day
(app/mail/reminders.py), the organisers' page first shows the plan and sends exactly it
(its fingerprint), under the event's lock, so that two runs at once send once each.

Why nobody can tell whose answer is whose:
- FeedbackAnswer holds the event and the answers only: no attendee, no request, no time,
  and a random id, so that neither ids nor their order line up with the requests.
- FeedbackRequest says that someone was asked, reminded and has answered, never which
  answer; both change in one transaction, and no time of answering is stored anywhere.
  That transaction rewrites every request of the event, so that PostgreSQL's stamp of the
  transaction on each row (xmin) does not pair the answer with its request.
- The request log writes each request's path and time: the answer form therefore posts to
  /feedback/ with the token in a hidden field, never in the path (the link's GET is logged:
  that someone opened it, not what they answered).
- Whatever shows the answers (the organisers' page, the report) takes them from summary():
  counts, and the answers themselves only once MIN_ANSWERS_SHOWN people have answered; with
  one or two, knowing who answered (the count moving after someone said so) would tell
  whose they are.
- The personal data export, the attendee CSV and the attendee page hold no answer
  (tests/test_results_feedback.py checks them, and the table's columns).
"""

import enum
import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import exists, false, func, select, true

from app.core.locking import lock_event
from app.core.urls import external_url
from app.extensions import db
from app.mail import outbox as mailer
from app.models import (
    Attendee,
    AttendeeStatus,
    CheckIn,
    Event,
    FeedbackAnswer,
    FeedbackRequest,
    MailKind,
    localized,
    utcnow,
)
from app.registration.calendar import day_bounds
from app.results.feedback_answers import answer_token

MIN_ANSWERS_SHOWN = 5  # fewer answers are counted, not shown (see above)
BY_SURNAME = (Attendee.last_name, Attendee.first_name, Attendee.id)


@dataclass
class QuestionSummary:
    key: str
    label: str  # in the current locale
    kind: str  # "rating" or "text"
    answers: int  # how many answered this question
    ratings: dict[int, int] = field(default_factory=dict)  # rating: {1: n, ..., 5: n}
    average: float | None = None  # rating
    texts: list[str] = field(default_factory=list)  # text: the answers, in no telling order


@dataclass
class FeedbackSummary:
    invited: int
    answered: int
    questions: list[QuestionSummary]  # empty while fewer than MIN_ANSWERS_SHOWN answered


class FeedbackNotOpen(Exception):
    """Before the day's end plus send_after_hours, or without a questionnaire."""

    def __init__(self, opens_at: datetime | None):
        super().__init__(opens_at)
        self.opens_at = opens_at  # naive UTC; None: the event file has no questionnaire


class FeedbackPlanChanged(Exception):
    """The people due are not those the organiser confirmed."""


class Sending(enum.StrEnum):
    QUESTIONNAIRE = "questionnaire"
    REMINDER = "reminder"


@dataclass
class FeedbackPlan:
    sending: Sending
    attendees: list[Attendee]
    requests: list[FeedbackRequest] = field(default_factory=list)  # the reminder's, same order

    @property
    def fingerprint(self) -> str:
        ids = ",".join(str(attendee_id) for attendee_id in sorted(a.id for a in self.attendees))
        return hashlib.sha256(f"{self.sending}:{ids}".encode()).hexdigest()[:16]


@dataclass
class FeedbackCounts:
    opens_at: datetime | None  # naive UTC
    due: int  # would get the questionnaire (now, or once it opens)
    sent: int
    reminders_due: int
    reminded: int
    answered: int


def opens_at(event: Event) -> datetime | None:
    """When the questionnaire may go out (naive UTC); None without one."""
    if not event.feedback:
        return None
    _, end = day_bounds(event)
    when = end + timedelta(hours=event.feedback["send_after_hours"])
    return when.astimezone(UTC).replace(tzinfo=None)


def is_open(event: Event, now: datetime | None = None) -> bool:
    when = opens_at(event)
    return when is not None and (now or utcnow()) >= when


def _require_open(event: Event, now: datetime) -> None:
    if not is_open(event, now):
        raise FeedbackNotOpen(opens_at(event))


def _questionnaire_due(event: Event):
    checked_in = exists().where(CheckIn.attendee_id == Attendee.id, CheckIn.undone_at.is_(None))
    asked = exists().where(FeedbackRequest.attendee_id == Attendee.id)
    return (
        Attendee.event_id == event.id,
        Attendee.email.is_not(None),  # a walk-in without e-mail cannot be asked
        Attendee.status != AttendeeStatus.CANCELLED,
        checked_in,
        ~asked,
    )


def _reminder_due(event: Event, now: datetime):
    days = (event.feedback or {}).get("reminder_after_days") or 0  # 0: no reminder
    return (
        FeedbackRequest.event_id == event.id,
        FeedbackRequest.answered.is_(False),
        FeedbackRequest.reminded_at.is_(None),
        FeedbackRequest.sent_at <= now - timedelta(days=days),
        Attendee.email.is_not(None),
        true() if days > 0 else false(),
    )


def questionnaire_plan(event: Event) -> FeedbackPlan:
    """Who the questionnaire would go to, by surname (whether or not it is open yet)."""
    query = select(Attendee).where(*_questionnaire_due(event)).order_by(*BY_SURNAME)
    return FeedbackPlan(Sending.QUESTIONNAIRE, db.session.scalars(query).all())


def reminder_plan(event: Event, now: datetime | None = None) -> FeedbackPlan:
    """Who the one reminder would go to now: asked long enough ago, not answered."""
    query = (
        select(Attendee, FeedbackRequest)
        .join(FeedbackRequest, FeedbackRequest.attendee_id == Attendee.id)
        .where(*_reminder_due(event, now or utcnow()))
        .order_by(*BY_SURNAME)
    )
    rows = db.session.execute(query).all()
    return FeedbackPlan(Sending.REMINDER, [a for a, _ in rows], [r for _, r in rows])


def _checked(plan: FeedbackPlan, expected: str | None) -> FeedbackPlan:
    if expected is not None and plan.attendees and plan.fingerprint != expected:
        db.session.rollback()
        raise FeedbackPlanChanged()
    return plan


def answer_url(request: FeedbackRequest, event: Event) -> str:
    return external_url("feedback.answer", token=answer_token(request), event_slug=event.slug)


def send_questionnaire(event: Event, expected: str | None = None, now: datetime | None = None) -> int:
    """Queue the questionnaire for everyone due and record that they were asked, in one
    transaction; returns how many. FeedbackNotOpen before its time; with ``expected``,
    FeedbackPlanChanged when that is no longer who is due."""
    now = now or utcnow()
    _require_open(event, now)
    lock_event(event.id)  # two runs at once: the second finds the first's requests
    plan = _checked(questionnaire_plan(event), expected)
    requests = [FeedbackRequest(event_id=event.id, attendee_id=a.id, sent_at=now) for a in plan.attendees]
    db.session.add_all(requests)
    db.session.flush()  # their ids go into the links
    for attendee, request in zip(plan.attendees, requests, strict=True):
        mailer.enqueue(MailKind.FEEDBACK, attendee, answer_url=answer_url(request, event))
    db.session.commit()
    return len(requests)


def send_reminder(event: Event, expected: str | None = None, now: datetime | None = None) -> int:
    """Queue the one reminder for those due it (see reminder_plan); returns how many."""
    now = now or utcnow()
    _require_open(event, now)
    lock_event(event.id)
    plan = _checked(reminder_plan(event, now), expected)
    for attendee, request in zip(plan.attendees, plan.requests, strict=True):
        request.reminded_at = now
        mailer.enqueue(MailKind.FEEDBACK_REMINDER, attendee, answer_url=answer_url(request, event))
    db.session.commit()
    return len(plan.attendees)


def send_due(event: Event, now: datetime | None = None) -> tuple[int, int]:
    """What is due now, the questionnaire then the reminder: (sent, reminded). For cron."""
    now = now or utcnow()
    return send_questionnaire(event, now=now), send_reminder(event, now=now)


def _count(model, *conditions) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*conditions))


def counts(event: Event, now: datetime | None = None) -> FeedbackCounts:
    asked = FeedbackRequest.event_id == event.id
    return FeedbackCounts(
        opens_at=opens_at(event),
        due=_count(Attendee, *_questionnaire_due(event)),
        sent=_count(FeedbackRequest, asked),
        reminders_due=len(reminder_plan(event, now).attendees),
        reminded=_count(FeedbackRequest, asked, FeedbackRequest.reminded_at.is_not(None)),
        answered=_count(FeedbackRequest, asked, FeedbackRequest.answered.is_(True)),
    )


def summary(event) -> FeedbackSummary | None:
    """The answers counted; None when the event has no questionnaire. The answers
    themselves only from MIN_ANSWERS_SHOWN answers on."""
    if not event.feedback:
        return None
    invited = _count(FeedbackRequest, FeedbackRequest.event_id == event.id)
    # By the random id: the order says nothing of who answered when.
    query = select(FeedbackAnswer.answers).filter_by(event_id=event.id).order_by(FeedbackAnswer.id)
    answers = db.session.scalars(query).all()
    if len(answers) < MIN_ANSWERS_SHOWN:
        return FeedbackSummary(invited, len(answers), [])
    questions = [_question_summary(question, answers) for question in event.feedback["questions"]]
    return FeedbackSummary(invited, len(answers), questions)


def _question_summary(question: dict, answers: list[dict]) -> QuestionSummary:
    values = [a.get(question["key"]) for a in answers]
    shown = QuestionSummary(question["key"], localized(question["label"]), question["kind"], 0)
    if question["kind"] == "rating":
        ratings = [v for v in values if isinstance(v, int) and not isinstance(v, bool) and 1 <= v <= 5]
        shown.ratings = {n: ratings.count(n) for n in range(1, 6)}
        shown.average = round(sum(ratings) / len(ratings), 2) if ratings else None
        shown.answers = len(ratings)
    else:
        shown.texts = [v for v in values if isinstance(v, str) and v]
        shown.answers = len(shown.texts)
    return shown
