"""The check-in desk's pages (role desk or admin): the scanner page, walk-ins, badge printing.

The scanner page itself talks to the JSON API (app/api) with the device's token.
"""

from flask import Blueprint, Response, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..auth.roles import roles_required
from ..extensions import db
from ..models import Attendee, Role
from ..registration.forms import WalkInForm, registration_data
from ..services import checkin
from ..services.badge_content import badge_for
from ..services.badge_pdf import badge_pdf as render_badge_pdf
from ..services.events import current_event_or_404
from ..services.registration import RegistrationError, register

bp = Blueprint("desk", __name__, url_prefix="/desk")


@bp.before_request
@roles_required(Role.DESK, Role.ADMIN)
def require_desk_role():
    """Every desk page is for desk staff and admins."""


@bp.route("/")
def desk():
    api_base = url_for("api.me")[: -len("/me")]
    return render_template("desk/desk.html", event=current_event_or_404(), api_base=api_base)


@bp.route("/sw.js")
def service_worker():
    """The desk's offline copy (static/js/desk-sw.js), served under /desk/ so that its
    scope covers the desk page: a reload without network still opens the scanner."""
    response = current_app.send_static_file("js/desk-sw.js")
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.route("/walk-in", methods=["GET", "POST"])
def walk_in():
    """A short registration at the desk, checked in at once, badge ready to print."""
    event = current_event_or_404()
    form = WalkInForm(event)
    if form.validate_on_submit():
        data = registration_data(form)
        try:
            attendee = register(event, data, source="desk")
        except RegistrationError:
            form.email.errors.append(
                _("This e-mail address is already registered: search for the person instead.")
            )
        else:
            desk_name = (form.desk_name.data or current_user.name)[:60]
            checkin.check_in_attendee(event, attendee.id, None, None, method="walk_in", desk_name=desk_name)
            flash(_("%(name)s is registered and checked in.", name=attendee.full_name), "success")
            return redirect(url_for("desk.walk_in_done", attendee_id=attendee.id))
    return render_template("desk/walk_in.html", event=event, form=form)


@bp.route("/walk-in/<int:attendee_id>")
def walk_in_done(attendee_id):
    attendee = db.get_or_404(Attendee, attendee_id)
    return render_template("desk/walk_in_done.html", event=attendee.event, attendee=attendee)


@bp.route("/attendees/<int:attendee_id>/badge.pdf")
def badge_pdf(attendee_id):
    attendee = db.get_or_404(Attendee, attendee_id)
    pdf = render_badge_pdf(badge_for(attendee))
    return Response(
        pdf, mimetype="application/pdf", headers={"Content-Disposition": 'inline; filename="badge.pdf"'}
    )
