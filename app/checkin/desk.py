"""The check-in desk's pages (role desk or admin): the scanner page, walk-ins, badge printing.

The scanner page itself talks to the JSON API (app/checkin/api) with the device's token.
"""

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.checkin import desks
from app.checkin.badge_content import badge_for
from app.checkin.badge_pdf import badge_pdf as render_badge_pdf
from app.checkin.forms import AdmitOverCapacityForm, WalkInForm
from app.checkin.points import points_of
from app.core import offline
from app.events.services import current_event_or_404
from app.models import PartStatus, Role, localized
from app.registration.forms import registration_data
from app.registration.over_capacity import AdmitResult
from app.registration.over_capacity import admit_over_capacity as admit
from app.registration.signup import WalkInResult, register_walk_in
from app.staff.roles import roles_required

bp = Blueprint("desk", __name__, url_prefix="/desk")


@bp.before_request
@roles_required(Role.DESK, Role.ADMIN)
def require_desk_role():
    """Every desk page is for desk staff and admins."""


@bp.route("/")
def desk():
    api_base = url_for("api.me")[: -len("/me")]
    event = current_event_or_404()
    return render_template("checkin/desk.html", event=event, api_base=api_base, points=points_of(event))


@bp.route("/sw.js")
def service_worker():
    """The desk's offline copy (static/js/checkin/desk-sw.js), served under /desk/ so that its
    scope covers the desk page: a reload without network still opens the scanner. Its list
    of files comes from what the page loads (app/core/offline.py)."""
    return offline.worker_response(offline.DESK)


@bp.route("/walk-in", methods=["GET", "POST"])
def walk_in():
    """A short registration at the desk, checked in at once, badge ready to print; with the
    day full, on the waiting list instead, and the desk is told so on a page of its own."""
    event = current_event_or_404()
    form = WalkInForm(event)
    if form.validate_on_submit():
        outcome = register_walk_in(event, registration_data(form), _desk_name(form))
        if outcome.result is WalkInResult.ALREADY_REGISTERED:
            form.email.errors.append(
                _("This e-mail address is already registered: search for the person instead.")
            )
        elif outcome.result is WalkInResult.WAITLISTED:
            return redirect(url_for("desk.walk_in_waiting", attendee_id=outcome.attendee.id))
        else:
            return redirect(url_for("desk.walk_in_done", attendee_id=outcome.attendee.id))
    return render_template("checkin/walk_in.html", event=event, form=form)


def _desk_name(form) -> str:
    """The desk this browser belongs to (remembered by the desk page), else the user's name."""
    return (form.desk_name.data or current_user.name)[:60]


@bp.route("/walk-in/<int:attendee_id>")
def walk_in_done(attendee_id):
    event = current_event_or_404()
    attendee = desks.checked_in_walk_in_of(event, attendee_id)
    return render_template(
        "checkin/walk_in_done.html",
        event=event,
        attendee=attendee,
        waiting_for=_waiting_for(attendee),
        admit_form=_admit_form(),
    )


@bp.route("/walk-in/<int:attendee_id>/waiting")
def walk_in_waiting(attendee_id):
    """A walk-in the full day put on its waiting list: not checked in, and the desk sees it;
    an organiser sees the choice to let them in over capacity."""
    event = current_event_or_404()
    attendee = desks.waiting_walk_in_of(event, attendee_id)
    return render_template(
        "checkin/walk_in_waiting.html", event=event, attendee=attendee, admit_form=_admit_form()
    )


@bp.route("/walk-in/<int:attendee_id>/admit", methods=["POST"])
@roles_required(Role.ADMIN)
def admit_over_capacity(attendee_id):
    """An organiser's override: confirmed although full, checked in, audited."""
    event = current_event_or_404()
    attendee = desks.walk_in_of(event, attendee_id)
    form = AdmitOverCapacityForm()
    if not form.validate_on_submit():
        abort(400)
    result = admit(attendee, current_user.email, _desk_name(form))
    if result is AdmitResult.ADMITTED:
        flash(_("%(name)s is let in over capacity and checked in.", name=attendee.full_name), "success")
    if request.form.get("back") == "attendee":
        return redirect(url_for("admin.attendee", attendee_id=attendee.id))
    return redirect(url_for("desk.walk_in_done", attendee_id=attendee.id))


def _admit_form():
    """The override's form, for organisers only: desk staff are told to ask one."""
    return AdmitOverCapacityForm() if current_user.role == Role.ADMIN else None


def _waiting_for(attendee) -> list[str]:
    """The parts of the day they wait for (lunch was full, say): the desk tells them."""
    return [localized(p.day_part.name) for p in attendee.parts if p.status == PartStatus.WAITLISTED]


@bp.route("/attendees/<int:attendee_id>/badge.pdf")
def badge_pdf(attendee_id):
    attendee = desks.badge_holder_of(current_event_or_404(), attendee_id)
    pdf = render_badge_pdf(badge_for(attendee))
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={"Content-Disposition": 'inline; filename="badge.pdf"', "Cache-Control": "no-store"},
    )
