"""The pages behind an attendee's personal link: their registration, changing it,
cancelling it, their data, and deleting it all."""

import json

from flask import flash, jsonify, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.core.forms import ConfirmForm
from app.models import AttendeeStatus, PartStatus
from app.registration.answers import shown_answers
from app.registration.cancellation import cancel_registration
from app.registration.changes import update_registration
from app.registration.forms import edit_registration_form, registration_data
from app.registration.places import event_waiting_list_position, places_left, waiting_list_position
from app.registration.privacy import delete_registration, personal_data
from app.registration.reinstatement import Reinstated
from app.registration.reinstatement import reinstate as reinstate_registration
from app.registration.signup import RegistrationError
from app.registration.views.blueprint import attendee_or_404, bp
from app.reporting.certificates import check_in_in_force
from app.worldcafe.explanations import reason_sentence
from app.worldcafe.services import published_seats


@bp.route("/r/<token>")
def manage(token):
    attendee = attendee_or_404(token)
    seats = published_seats(attendee) if attendee.status == AttendeeStatus.CONFIRMED else []
    return render_template(
        "registration/manage.html",
        seats=seats,
        table_reason=_table_reason(attendee, seats),
        attendee=attendee,
        event=attendee.event,
        token=token,
        waiting=_waiting_positions(attendee),
        event_position=(
            event_waiting_list_position(attendee) if attendee.status == AttendeeStatus.WAITLISTED else None
        ),
        cancel_form=ConfirmForm(),
        checked_in=check_in_in_force(attendee) is not None,
        can_take_back=attendee.event.registration_is_open(),
        # The questions the event asks now: answers to a dropped one are in their data export.
        answers=shown_answers(attendee, removed=False),
    )


def _waiting_positions(attendee) -> dict:
    """Their place in line, for each day part they wait for (by day part id)."""
    return {
        part.day_part_id: waiting_list_position(part)
        for part in attendee.parts
        if part.status == PartStatus.WAITLISTED
    }


def _table_reason(attendee, seats) -> str:
    """Why the assignment gave them their table, in a sentence ("" before one is published)."""
    if not seats or not seats[0].reason:
        return ""
    tables = {t.id: t for t in attendee.event.tables}
    return reason_sentence(json.loads(seats[0].reason), tables)


@bp.route("/r/<token>/edit", methods=["GET", "POST"])
def edit(token):
    attendee = attendee_or_404(token)
    if attendee.status == AttendeeStatus.CANCELLED:
        return redirect(url_for("registration.manage", token=token))
    event = attendee.event
    form = edit_registration_form(event, email_required=attendee.email is not None)
    if not form.is_submitted():
        form.fill_from(attendee)
    elif form.validate():
        try:
            update_registration(attendee, registration_data(form))
        except RegistrationError as error:
            if error.reason is not RegistrationError.Reason.DUPLICATE_EMAIL:
                raise
            form.email.errors.append(_("This e-mail address is already registered for this event."))
        else:
            flash(_("Your changes are saved."), "success")
            return redirect(url_for("registration.manage", token=token))
    form.places_left = places_left(event)
    return render_template("registration/edit.html", event=event, form=form, attendee=attendee, token=token)


@bp.route("/r/<token>/cancel", methods=["GET", "POST"])
def cancel(token):
    attendee = attendee_or_404(token)
    form = ConfirmForm()
    if form.validate_on_submit():
        cancel_registration(attendee)
        flash(_("Your registration is cancelled. Thank you for letting us know."), "success")
        return redirect(url_for("registration.manage", token=token))
    return _confirmation_page("registration/cancel.html", attendee, form, token)


@bp.route("/r/<token>/reinstate", methods=["POST"])
def reinstate(token):
    """Take a cancelled registration back: a place if one is free, else the waiting list."""
    attendee = attendee_or_404(token)
    if ConfirmForm().validate_on_submit():
        result = reinstate_registration(attendee)
        if result in TAKEN_BACK:
            flash(TAKEN_BACK[result], "success" if result is Reinstated.CONFIRMED else "warning")
        elif result is Reinstated.CLOSED:
            flash(_("Registration is closed: to come after all, please write to the organisers."), "warning")
    return redirect(url_for("registration.manage", token=token))


TAKEN_BACK = {
    Reinstated.CONFIRMED: _l(
        "Your registration is back: you have a place. A confirmation is on its way by e-mail."
    ),
    Reinstated.WAITLISTED: _l(
        "Your registration is back, on the waiting list: the day is full. "
        "We will write to you as soon as a place frees up."
    ),
}


@bp.route("/r/<token>/data.json")
def my_data(token):
    """The attendee's own copy of everything we hold about them (GDPR art. 15 and 20)."""
    attendee = attendee_or_404(token)
    response = jsonify(personal_data(attendee))
    response.headers["Content-Disposition"] = 'attachment; filename="my-registration.json"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/r/<token>/delete", methods=["GET", "POST"])
def delete(token):
    """Delete the registration: places freed, personal data removed at once (GDPR art. 17)."""
    attendee = attendee_or_404(token)
    form = ConfirmForm()
    if form.validate_on_submit():
        delete_registration(attendee)
        flash(_("Your registration and your personal data are deleted."), "success")
        return redirect(url_for("public.home"))
    return _confirmation_page("registration/delete.html", attendee, form, token)


def _confirmation_page(template: str, attendee, form: ConfirmForm, token: str):
    """The page that asks them to confirm what cannot be undone from their link."""
    return render_template(template, attendee=attendee, event=attendee.event, form=form, token=token)
