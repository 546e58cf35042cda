"""Organisers' announcements (role admin): write once, preview, send to many by e-mail."""

import uuid

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from app.core.forms import ConfirmForm
from app.events.services import current_event_or_404
from app.extensions import db
from app.mail import announcements as service
from app.mail import reminders, schedule_update
from app.mail.forms import AUDIENCE_LABELS, ReminderConfirmForm, announcement_form
from app.models import Announcement, Audience, Role, localized
from app.registration.forms import LANGUAGE_NAMES
from app.staff.roles import roles_required

bp = Blueprint("admin_announcements", __name__, url_prefix="/admin/announcements")


@bp.before_request
@roles_required(Role.ADMIN)
def require_admin():
    """Every page here is for admins only."""


@bp.route("/", methods=["GET", "POST"])
def announcements():
    event = current_event_or_404()
    counts = service.recipient_counts(event)
    form = announcement_form(event, counts)
    preview = None
    if form.validate_on_submit():
        audience, text = Audience(form.audience.data), form.text()
        if request.form.get("action") == "send":
            sent = service.send(event, audience, text, form.request_id.data, current_user.email)
            flash(
                ngettext(
                    "The announcement is on its way to %(num)d person.",
                    "The announcement is on its way to %(num)d people.",
                    sent.recipients,
                ),
                "success",
            )
            return redirect(url_for(".announcements"))
        preview = {"recipients": counts[audience], "versions": _preview_versions(event, text)}
    if not form.request_id.data:
        form.request_id.data = uuid.uuid4().hex
    history = service.history(event)
    return render_template(
        "mail/announcements.html",
        event=event,
        form=form,
        preview=preview,
        history=history,
        deliveries=service.deliveries(history),
        retry_form=ConfirmForm(),
        reminders_due=reminders.reminders_due(event),
        schedule_plan=schedule_update.schedule_plan(event),
        audience_labels=AUDIENCE_LABELS,
        language_names=LANGUAGE_NAMES,
    )


def _preview_versions(event, text: service.AnnouncementText) -> list[tuple]:
    """(language, subject, greeting or None, paragraphs) for each of the event's languages."""
    return [
        (
            lang,
            localized(text.subject, lang),
            service.greeting_preview(lang) if text.greeting else None,
            service.paragraphs(localized(text.body, lang)),
        )
        for lang in event.languages
    ]


@bp.post("/<int:announcement_id>/retry")
def retry_failed(announcement_id):
    announcement = db.first_or_404(
        db.select(Announcement).filter_by(id=announcement_id, event_id=current_event_or_404().id)
    )
    if ConfirmForm().validate_on_submit():
        count = service.retry_failed(announcement)
        flash(
            ngettext("%(num)d message will be tried again.", "%(num)d messages will be tried again.", count),
            "success",
        )
    return redirect(url_for(".announcements"))


@bp.route("/reminders", methods=["GET", "POST"])
def send_reminders():
    """The reminder before the day, with the badge, to everyone confirmed who has not had it:
    first who will get it, then, once confirmed, to exactly them (once each)."""
    event = current_event_or_404()
    form = ReminderConfirmForm()
    if form.validate_on_submit():
        try:
            count = reminders.queue_reminders(event, expected=form.plan.data)
        except reminders.ReminderPlanChanged:
            flash(_("Something changed since this page was shown: check the list again."), "warning")
        else:
            flash(_reminder_sent_message(count), "success" if count else "warning")
            return redirect(url_for(".announcements"))
    plan = reminders.reminder_plan(event)
    form.plan.data = plan.fingerprint
    return render_template("mail/reminders.html", event=event, plan=plan, form=form)


@bp.route("/schedule-update", methods=["GET", "POST"])
def send_schedule_update():
    """The day moved (a new event file): what changed and who is told, then, once
    confirmed, the update with the new .ics to exactly them."""
    event = current_event_or_404()
    form = ReminderConfirmForm()
    if form.validate_on_submit():
        try:
            count = schedule_update.send_schedule_update(event, expected=form.plan.data)
        except schedule_update.SchedulePlanChanged:
            flash(_("Something changed since this page was shown: check the list again."), "warning")
        else:
            flash(_schedule_sent_message(count), "success" if count else "warning")
            return redirect(url_for(".announcements"))
    plan = schedule_update.schedule_plan(event)
    form.plan.data = plan.fingerprint if plan else ""
    return render_template("mail/schedule_update.html", event=event, plan=plan, form=form)


def _schedule_sent_message(count: int) -> str:
    if not count:
        return _("The attendees already have the day as it is now: nothing more was sent.")
    return ngettext(
        "The update is on its way to %(num)d person.",
        "The update is on its way to %(num)d people.",
        count,
    )


def _reminder_sent_message(count: int) -> str:
    if not count:  # a second click, or the reminder sent from elsewhere meanwhile
        return _("Everyone confirmed has had the reminder: nothing more was sent.")
    return ngettext(
        "The reminder is on its way to %(num)d person.",
        "The reminder is on its way to %(num)d people.",
        count,
    )
