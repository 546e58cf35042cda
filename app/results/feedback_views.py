"""The questionnaire's pages for attendees, and the organisers' page.

The e-mail's link (GET /feedback/<token>) shows the questions; the answers are posted to
/feedback/ with the token in a hidden field, so that the request log, which writes paths
and times, never ties a person's token to the moment of an answer (see feedback.py).
"""

from contextlib import nullcontext

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import force_locale, format_datetime, format_decimal, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, RadioField, TextAreaField

from app.core.forms import AppForm
from app.events.services import current_event, current_event_or_404
from app.extensions import db
from app.mail.forms import ReminderConfirmForm
from app.models import Attendee, FeedbackRequest, Role, localized
from app.results import feedback as service
from app.results.feedback_answers import (
    MAX_TEXT,
    RATINGS,
    AnswerProblem,
    Recorded,
    check_answers,
    record_answers,
    request_for_token,
)
from app.staff.roles import roles_required

bp = Blueprint("feedback", __name__, url_prefix="/feedback")
admin_bp = Blueprint("admin_feedback", __name__, url_prefix="/admin/results/feedback")

PROBLEMS = {
    AnswerProblem.REQUIRED: _l("Please answer this question."),
    AnswerProblem.NOT_A_RATING: _l("Choose a number from 1 to 5."),
    AnswerProblem.TOO_LONG: _l("Please keep it under %(max)d characters.", max=MAX_TEXT),
    AnswerProblem.NOT_STORABLE: _l(
        "This answer holds a character that cannot be saved: delete it and try again."
    ),
}
SESSION_KEY = "feedback_token"  # the link last opened: the language switch comes back to it


@admin_bp.before_request
@roles_required(Role.ADMIN)
def require_admin():
    """Every page here is for admins only."""


class TokenForm(AppForm):
    token = HiddenField()


def answer_form(questions: list[dict], token: str) -> AppForm:
    """The questions as a form, built from the event file (CSRF included); the rules on
    the answers are the service's (check_answers)."""

    class AnswerForm(TokenForm):
        pass

    for question in questions:
        label = localized(question["label"])
        if not question["required"]:
            label = _("%(question)s (optional)", question=label)
        hint = localized(question["help"]) if question["help"] else None
        if question["kind"] == "rating":
            made = RadioField(
                label, choices=[(n, n) for n in RATINGS], validate_choice=False, description=hint
            )
        else:
            made = TextAreaField(label, description=hint, render_kw={"rows": 4, "maxlength": MAX_TEXT})
        setattr(AnswerForm, f"q_{question['key']}", made)
    form = AnswerForm()
    form.token.data = token
    return form


def _in_their_language(attendee: Attendee | None):
    """In the language chosen on this site, else the one they registered in."""
    if session.get("lang") or attendee is None:
        return nullcontext()
    return force_locale(attendee.language)


def _not_valid():
    return render_template("results/feedback_invalid.html", event=current_event()), 404


def _request_or_none(token: str | None) -> FeedbackRequest | None:
    event = current_event()
    found = request_for_token(token or "", event)
    return found if found is not None and event.feedback else None


@bp.get("/<token>")
def answer(token):
    found = _request_or_none(token)
    if found is None:
        return _not_valid()
    session[SESSION_KEY] = token
    with _in_their_language(db.session.get(Attendee, found.attendee_id)):
        if found.answered:
            return render_template("results/feedback_thanks.html", event=current_event(), already=True)
        return _questionnaire(answer_form(current_event().feedback["questions"], token))


def _questionnaire(form):
    return render_template("results/feedback_form.html", event=current_event(), form=form)


@bp.get("/")
def resume():
    """Back to the link last opened (the language switch on a page shown after a POST)."""
    if _request_or_none(session.get(SESSION_KEY)) is None:
        return _not_valid()
    return redirect(url_for(".answer", token=session[SESSION_KEY]))


@bp.post("/")
def submit():
    found = _request_or_none(request.form.get("token"))
    if found is None:
        return _not_valid()
    event = current_event()
    with _in_their_language(db.session.get(Attendee, found.attendee_id)):
        form = answer_form(event.feedback["questions"], request.form["token"])
        if not form.validate_on_submit():  # a character no column stores; CSRF is checked before
            return _questionnaire(form)
        submitted = {q["key"]: form[f"q_{q['key']}"].data for q in event.feedback["questions"]}
        answers, problems = check_answers(event.feedback["questions"], submitted)
        if problems:
            for key, problem in problems.items():
                form[f"q_{key}"].errors = [str(PROBLEMS[problem])]
            return _questionnaire(form)
        if record_answers(found, answers) is Recorded.ALREADY_ANSWERED:
            return render_template("results/feedback_thanks.html", event=event, already=True)
    session.pop(SESSION_KEY, None)
    return redirect(url_for(".thanks"), code=303)


@bp.get("/thanks")
def thanks():
    return render_template("results/feedback_thanks.html", event=current_event_or_404(), already=False)


@admin_bp.get("/")
def feedback():
    event = current_event_or_404()
    if not event.feedback:
        return render_template("results/feedback_admin.html", event=event, counts=None, summary=None)
    return render_template(
        "results/feedback_admin.html",
        event=event,
        counts=service.counts(event),
        summary=service.summary(event),
        min_answers=service.MIN_ANSWERS_SHOWN,
        is_open=service.is_open(event),
        decimal=format_decimal,
    )


PLANS = {
    service.Sending.QUESTIONNAIRE: service.questionnaire_plan,
    service.Sending.REMINDER: service.reminder_plan,
}
SENDERS = {
    service.Sending.QUESTIONNAIRE: service.send_questionnaire,
    service.Sending.REMINDER: service.send_reminder,
}


@admin_bp.route("/send/<sending>", methods=["GET", "POST"])
def send(sending):
    """First who will get it, then, once confirmed, exactly them (once each)."""
    if sending not in set(service.Sending):
        abort(404)
    sending, event = service.Sending(sending), current_event_or_404()
    if not event.feedback:
        flash(_not_open_message(service.FeedbackNotOpen(None)), "warning")
        return redirect(url_for(".feedback"))
    form = ReminderConfirmForm()
    if form.validate_on_submit():
        try:
            count = SENDERS[sending](event, expected=form.plan.data)
        except service.FeedbackNotOpen as refusal:
            flash(_not_open_message(refusal), "warning")
            return redirect(url_for(".feedback"))
        except service.FeedbackPlanChanged:
            flash(_("Something changed since this page was shown: check the list again."), "warning")
        else:
            flash(_sent_message(sending, count), "success" if count else "warning")
            return redirect(url_for(".feedback"))
    plan = PLANS[sending](event)
    form.plan.data = plan.fingerprint
    return render_template(
        "results/feedback_send.html",
        event=event,
        plan=plan,
        form=form,
        is_open=service.is_open(event),
        sending=sending,
    )


def _not_open_message(refusal: service.FeedbackNotOpen) -> str:
    if refusal.opens_at is None:
        return _("The event file has no feedback questionnaire: nothing was sent.")
    return _(
        "The questionnaire goes out only after the day: from %(when)s. Nothing was sent.",
        when=format_datetime(refusal.opens_at, "d MMM yyyy, HH:mm"),
    )


def _sent_message(sending: service.Sending, count: int) -> str:
    if not count:
        return _("Everyone due has had it: nothing more was sent.")
    if sending is service.Sending.REMINDER:
        return ngettext(
            "The reminder is on its way to %(num)d person.",
            "The reminder is on its way to %(num)d people.",
            count,
        )
    return ngettext(
        "The questionnaire is on its way to %(num)d person.",
        "The questionnaire is on its way to %(num)d people.",
        count,
    )
