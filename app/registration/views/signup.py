"""Signing up: the registration form, and the personal link sent again to who lost it."""

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from sqlalchemy.exc import InterfaceError, OperationalError, SQLAlchemyError

from app.core.transactions import keeping_loaded
from app.events.services import current_event_or_404
from app.extensions import db, limiter
from app.registration.forms import EmailOnlyForm, registration_data, registration_form
from app.registration.places import places_left
from app.registration.resending import resend_manage_link
from app.registration.signup import RegistrationError
from app.registration.signup import register as register_attendee
from app.registration.tokens import manage_token
from app.registration.views.blueprint import bp

# The connection lost or the server gone (not a rule of ours, as an IntegrityError is):
# whatever was being written may or may not be in the database.
DATABASE_GONE = (OperationalError, InterfaceError)


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit("20 per minute; 200 per hour", methods=["POST"])
def register():
    event = current_event_or_404()
    if not event.registration_is_open():
        return render_template("registration/closed.html", event=event)
    form = registration_form(event)
    duplicate = False
    if form.validate_on_submit():
        try:
            with keeping_loaded():  # the link below, without loading the attendee again
                attendee = register_attendee(event, registration_data(form))
            link = url_for("registration.manage", token=manage_token(attendee))
        except RegistrationError as error:
            if error.reason is not RegistrationError.Reason.DUPLICATE_EMAIL:
                raise
            duplicate = True
            # The notice at the top says it and offers the link; the field only points there.
            form.email.errors.append(_("Already registered: see the message at the top of the page."))
        except DATABASE_GONE:
            return _registration_outcome_unknown(event, form.email.data)
        else:
            flash(
                _("Thank you, you are registered. We have sent you an e-mail with this page's link."),
                "success",
            )
            return redirect(link)
    resend_form = EmailOnlyForm(email=form.email.data) if duplicate else None
    form.places_left = places_left(event)  # counted only when the form is shown
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
        resend_manage_link(event, form.email.data)
        flash(
            _(
                "If %(email)s is registered, its personal link is on its way: check your inbox.",
                email=form.email.data,
            ),
            "success",
        )
        return redirect(url_for("public.home"))
    return render_template("registration/resend_link.html", event=event, form=form)
