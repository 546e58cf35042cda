"""Answering the questionnaire: the link's token, the answers checked, and stored once.

The token names a FeedbackRequest (that this person was asked), never an answer. Storing an
answer marks the request answered and adds the anonymous FeedbackAnswer in one transaction;
the mark is a conditional UPDATE, so a double click or two tabs store one answer.
"""

import enum
import hmac
from collections.abc import Mapping

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import update

from app.core.db_limits import contains_nul
from app.core.locking import lock_event
from app.extensions import db
from app.models import Event, FeedbackAnswer, FeedbackRequest

SALT = "feedback-answer"  # its own: no other link's token is accepted here
RATINGS = ("1", "2", "3", "4", "5")
MAX_TEXT = 2000


class AnswerProblem(enum.StrEnum):
    REQUIRED = "required"
    NOT_A_RATING = "not_a_rating"
    TOO_LONG = "too_long"
    NOT_STORABLE = "not_storable"  # a NUL character


class Recorded(enum.StrEnum):
    STORED = "stored"
    ALREADY_ANSWERED = "already_answered"


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def answer_token(request: FeedbackRequest) -> str:
    return _serializer().dumps(request.id)


def request_for_token(token: str, event: Event | None) -> FeedbackRequest | None:
    """The request the link names, when it is this event's; None for anything else.
    Only the exact text answer_token() wrote is accepted (see registration/tokens.py)."""
    try:
        request_id = _serializer().loads(token)
    except (BadSignature, ValueError, TypeError):
        return None
    if not isinstance(request_id, int) or event is None:
        return None
    if not hmac.compare_digest(_serializer().dumps(request_id).encode(), token.encode("utf-8", "replace")):
        return None
    request = db.session.get(FeedbackRequest, request_id)
    return request if request is not None and request.event_id == event.id else None


def check_answers(questions: list[dict], submitted: Mapping[str, str | None]) -> tuple[dict, dict]:
    """(the answers to store: {key: 1-5 or text}, only those given; {key: AnswerProblem})."""
    answers, problems = {}, {}
    for question in questions:
        key = question["key"]
        value = (submitted.get(key) or "").strip()
        problem = _problem(question, value)
        if problem:
            problems[key] = problem
        elif value:
            answers[key] = int(value) if question["kind"] == "rating" else value
    return answers, problems


def _problem(question: dict, value: str) -> AnswerProblem | None:
    if not value:
        return AnswerProblem.REQUIRED if question["required"] else None
    if contains_nul(value):
        return AnswerProblem.NOT_STORABLE
    if question["kind"] == "rating":
        return None if value in RATINGS else AnswerProblem.NOT_A_RATING
    return AnswerProblem.TOO_LONG if len(value) > MAX_TEXT else None


def record_answers(request: FeedbackRequest, answers: dict) -> Recorded:
    """Mark the request answered and store the answers apart from it, once: a second submit
    (or one racing this) finds it answered and stores nothing."""
    # The event's lock first, as sending does: the two never wait for each other's rows.
    lock_event(request.event_id)
    # PostgreSQL stamps each row with the id of the transaction that wrote it (xmin): the
    # answer and its request's mark would carry the same one. Rewriting every request of the
    # event here puts this transaction's stamp on all of them, the answerer's among many.
    db.session.execute(
        update(FeedbackRequest)
        .where(FeedbackRequest.event_id == request.event_id)
        .values(answered=FeedbackRequest.answered)
        .execution_options(synchronize_session=False)
    )
    marked = db.session.execute(
        update(FeedbackRequest)
        .where(FeedbackRequest.id == request.id, FeedbackRequest.answered.is_(False))
        .values(answered=True)
        .execution_options(synchronize_session=False)
    )
    if marked.rowcount != 1:
        db.session.rollback()
        return Recorded.ALREADY_ANSWERED
    db.session.add(FeedbackAnswer(event_id=request.event_id, answers=answers))
    db.session.commit()
    return Recorded.STORED
