"""Attendees' own pages: register, find their link again, view, change and cancel."""

import json

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    jsonify,
    make_response,
    redirect,
    render_template,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy.exc import InterfaceError, OperationalError, SQLAlchemyError

from app.checkin.badge_content import badge_for
from app.checkin.badge_pdf import badge_pdf
from app.checkin.badges import badge_token, qr_png
from app.checkin.services import local_time
from app.core.forms import ConfirmForm
from app.core.urls import external_url
from app.events.services import current_event_or_404
from app.extensions import db, limiter
from app.models import AttendeeStatus, PartStatus
from app.registration import services as service
from app.registration.calendar import event_ics
from app.registration.forms import EditRegistrationForm, EmailOnlyForm, RegistrationForm, registration_data
from app.registration.privacy import delete_registration, personal_data
from app.registration.services import RegistrationError
from app.registration.tokens import attendee_for_manage_token, manage_token
from app.reporting.certificates import (
    CertificateCheck,
    certificate_for,
    certificate_pdf,
    check_certificate,
    check_in_in_force,
)
from app.worldcafe.explanations import reason_sentence
from app.worldcafe.services import published_seats

bp = Blueprint("registration", __name__)

# The connection lost or the server gone (not a rule of ours, as an IntegrityError is):
# whatever was being written may or may not be in the database.
DATABASE_GONE = (OperationalError, InterfaceError)


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit("20 per minute; 200 per hour", methods=["POST"])
def register():
    event = current_event_or_404()
    if not event.registration_is_open():
        return render_template("registration/closed.html", event=event)
    form = RegistrationForm(event)
    duplicate = False
    if form.validate_on_submit():
        try:
            attendee = service.register(event, registration_data(form))
            link = url_for("registration.manage", token=manage_token(attendee))
        except RegistrationError as error:
            if error.reason is not RegistrationError.Reason.DUPLICATE_EMAIL:
                raise
            duplicate = True
            form.email.errors.append(_("This e-mail address is already registered for this event."))
        except DATABASE_GONE:
            return _registration_outcome_unknown(event, form.email.data)
        else:
            flash(
                _("Thank you, you are registered. We have sent you an e-mail with this page's link."),
                "success",
            )
            return redirect(link)
    resend_form = EmailOnlyForm(email=form.email.data) if duplicate else None
    form.places_left = service.places_left(event)  # counted only when the form is shown
    return render_template("registration/register.html", event=event, form=form, resend_form=resend_form)


def _registration_outcome_unknown(event, email: str):
    """The database stopped answering while the registration was saved (at worst at its
    COMMIT: written, and its e-mail queued, without our hearing so). Nobody knows which, so
    the page says how to find out: the mailbox, else the link sent again."""
    db.session.rollback()
    try:
        db.session.refresh(event)
    except SQLAlchemyError:  # still unreachable: a plain page, without the event's name
        db.session.rollback()
        event = None
    page = render_template(
        "registration/outcome_unknown.html", event=event, email=email, resend_form=EmailOnlyForm(email=email)
    )
    return page, 503


@bp.route("/register/link", methods=["GET", "POST"])
@limiter.limit("5 per minute; 30 per hour", methods=["POST"])
def resend_link():
    """Send the personal link again; the answer never reveals whether an address is registered."""
    event = current_event_or_404()
    form = EmailOnlyForm()
    if form.validate_on_submit():
        service.resend_manage_link(event, form.email.data)
        flash(
            _(
                "If %(email)s is registered, its personal link is on its way: check your inbox.",
                email=form.email.data,
            ),
            "success",
        )
        return redirect(url_for("public.home"))
    return render_template("registration/resend_link.html", event=event, form=form)


def _attendee_or_404(token: str):
    attendee = attendee_for_manage_token(token)
    if attendee is None:
        abort(404)
    return attendee


@bp.route("/r/<token>")
def manage(token):
    attendee = _attendee_or_404(token)
    waiting = {
        part.day_part_id: service.waiting_list_position(part)
        for part in attendee.parts
        if part.status == PartStatus.WAITLISTED
    }
    event_position = (
        service.event_waiting_list_position(attendee)
        if attendee.status == AttendeeStatus.WAITLISTED
        else None
    )
    seats = published_seats(attendee) if attendee.status == AttendeeStatus.CONFIRMED else []
    tables = {t.id: t for t in attendee.event.tables}
    return render_template(
        "registration/manage.html",
        seats=seats,
        table_reason=reason_sentence(json.loads(seats[0].reason), tables)
        if seats and seats[0].reason
        else "",
        attendee=attendee,
        event=attendee.event,
        token=token,
        waiting=waiting,
        event_position=event_position,
        cancel_form=ConfirmForm(),
        checked_in=check_in_in_force(attendee) is not None,
    )


@bp.route("/r/<token>/edit", methods=["GET", "POST"])
def edit(token):
    attendee = _attendee_or_404(token)
    if attendee.status == AttendeeStatus.CANCELLED:
        return redirect(url_for("registration.manage", token=token))
    event = attendee.event
    form = EditRegistrationForm(event)
    if not form.is_submitted():
        _fill(form, attendee)
    elif form.validate():
        try:
            service.update_registration(attendee, registration_data(form))
        except RegistrationError as error:
            if error.reason is not RegistrationError.Reason.DUPLICATE_EMAIL:
                raise
            form.email.errors.append(_("This e-mail address is already registered for this event."))
        else:
            flash(_("Your changes are saved."), "success")
            return redirect(url_for("registration.manage", token=token))
    form.places_left = service.places_left(event)
    return render_template("registration/edit.html", event=event, form=form, attendee=attendee, token=token)


@bp.route("/r/<token>/cancel", methods=["GET", "POST"])
def cancel(token):
    attendee = _attendee_or_404(token)
    form = ConfirmForm()
    if form.validate_on_submit():
        service.cancel_registration(attendee)
        flash(_("Your registration is cancelled. Thank you for letting us know."), "success")
        return redirect(url_for("registration.manage", token=token))
    return render_template(
        "registration/cancel.html", attendee=attendee, event=attendee.event, form=form, token=token
    )


def _fill(form: RegistrationForm, attendee) -> None:
    form.first_name.data = attendee.first_name
    form.last_name.data = attendee.last_name
    form.email.data = attendee.email
    form.phone.data = attendee.phone
    form.organisation.data = attendee.organisation_name
    form.participant_type.data = attendee.participant_type
    form.day_parts.data = [part.day_part_id for part in attendee.parts]
    for field, preference in zip(form.choice_fields, attendee.preferences, strict=False):
        field.data = str(preference.cafe_table_id)
    form.dietary_needs.data = attendee.dietary_needs
    form.accessibility_needs.data = attendee.accessibility_needs
    form.language.data = attendee.language
    form.consent_photos.data = attendee.consent_photos


def _badge_holder_or_404(token: str):
    """Only a confirmed attendee has a badge: waiting and cancelled people are not let in."""
    attendee = _attendee_or_404(token)
    if attendee.status != AttendeeStatus.CONFIRMED:
        abort(404)
    return attendee


@bp.route("/r/<token>/badge.pdf")
def badge_pdf_download(token):
    attendee = _badge_holder_or_404(token)
    pdf = badge_pdf(badge_for(attendee))
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={"Content-Disposition": 'inline; filename="badge.pdf"', "Cache-Control": "no-store"},
    )


@bp.route("/r/<token>/badge.png")
def badge_qr(token):
    attendee = _badge_holder_or_404(token)
    return Response(
        qr_png(badge_token(attendee)), mimetype="image/png", headers={"Cache-Control": "no-store"}
    )


@bp.route("/r/<token>/event.ics")
def calendar_file(token):
    """The day for the attendee's calendar app, as the confirmation e-mail attaches it."""
    attendee = _badge_holder_or_404(token)
    manage_url = external_url("registration.manage", token=token)
    return Response(
        event_ics(attendee, manage_url, str(get_locale())),
        mimetype="text/calendar",
        headers={"Content-Disposition": 'attachment; filename="event.ics"', "Cache-Control": "no-store"},
    )


@bp.route("/r/<token>/certificate.pdf")
def certificate(token):
    """The certificate of attendance, once the attendee was checked in at a desk."""
    attendee = _attendee_or_404(token)
    found = certificate_for(attendee, str(get_locale()), check_url=_certificate_check_url)
    if found is None:
        abort(404)
    return Response(
        certificate_pdf(found),
        mimetype="application/pdf",
        headers={"Content-Disposition": 'inline; filename="certificate.pdf"', "Cache-Control": "no-store"},
    )


def _certificate_check_url(code: str) -> str:
    return external_url("registration.check_certificate_page", code=code)


@bp.route("/certificates/<code>")
@limiter.limit("30 per minute")
def check_certificate_page(code):
    """Anyone shown a certificate can check it here: whether it stands, and whose it is."""
    checked = check_certificate(code[:200])
    event = checked.attendee.event if checked else current_event_or_404()
    response = make_response(
        render_template(
            "registration/certificate_check.html",
            event=event,
            checked=checked,
            checks=CertificateCheck,
            checked_in_at=local_time(event, checked.check_in.checked_in_at) if checked else None,
        ),
        200 if checked else 404,
    )
    # It names a person: for whoever holds the link, not for search engines or caches.
    response.headers["X-Robots-Tag"] = "noindex"
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/r/<token>/data.json")
def my_data(token):
    """The attendee's own copy of everything we hold about them (GDPR art. 15 and 20)."""
    attendee = _attendee_or_404(token)
    response = jsonify(personal_data(attendee))
    response.headers["Content-Disposition"] = 'attachment; filename="my-registration.json"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/r/<token>/delete", methods=["GET", "POST"])
def delete(token):
    """Delete the registration: places freed, personal data removed at once (GDPR art. 17)."""
    attendee = _attendee_or_404(token)
    form = ConfirmForm()
    if form.validate_on_submit():
        delete_registration(attendee)
        flash(_("Your registration and your personal data are deleted."), "success")
        return redirect(url_for("public.home"))
    return render_template(
        "registration/delete.html", attendee=attendee, event=attendee.event, form=form, token=token
    )
