"""Organisers' pages (role admin): attendees, one attendee, CSV export."""

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.checkin.badge_content import badge_for
from app.checkin.badge_pdf import badges_sheet_pdf
from app.core.db_limits import RefusedInput, contains_nul, db_int
from app.core.forms import ConfirmForm
from app.events.services import current_event_or_404, of_served_event_or_404
from app.extensions import db
from app.mail import outbox as mailer
from app.models import Attendee, AttendeeStatus, OutboxMessage, Role
from app.registration import venue_needs
from app.registration.answers import filterable_questions, options_of, question_figures, shown_answers
from app.registration.attendee_list import (
    Attendance,
    AttendeeFilter,
    attendee_page,
    attendee_query,
    attendees_csv,
)
from app.registration.cancellation import cancel_registration
from app.registration.forms import CancelForThemForm, ReinstateForm
from app.registration.places import places_left
from app.registration.reinstatement import Reinstated, reinstate
from app.registration.resending import reissue_badge_for, send_manage_link
from app.registration.tokens import manage_token
from app.reporting.certificates import check_in_in_force
from app.staff.roles import roles_required
from app.worldcafe.forms import PlacementForm

bp = Blueprint("admin", __name__, url_prefix="/admin")
PAGE_SIZE = 50


@bp.before_request
@roles_required(Role.ADMIN)
def require_admin():
    """Every admin page is for admins only."""


def _filters() -> AttendeeFilter:
    """The list's filters from the query string; one no list could match is refused (400)."""
    args = request.args
    search, organisation = args.get("q", "")[:100], args.get("organisation", "")[:100]
    if contains_nul(search) or contains_nul(organisation):
        raise RefusedInput(
            _("The search text holds a character that cannot be searched for: type it again."),
            back_url=url_for("admin.attendees"),
        )
    return AttendeeFilter(
        search=search,
        status=args.get("status", "") if args.get("status") in {s.value for s in AttendeeStatus} else "",
        day_part_id=_id_filter("part"),
        table_id=_id_filter("table"),
        organisation=organisation,
        attendance=args.get("attendance", "") if args.get("attendance") in set(Attendance) else "",
        answer=_answer_filter(),
        group_id=_id_filter("group"),
    )


def _answer_filter() -> str:
    """The answer filter ("" for any); one that names no question and option of the event
    is refused, as an unknown id is."""
    answer = request.args.get("answer", "")[:200]
    if answer and AttendeeFilter(answer=answer).answer_filter(current_event_or_404()) is None:
        raise RefusedInput(
            _("That filter names no answer to this event's questions: choose one from the list."),
            back_url=url_for("admin.attendees"),
        )
    return answer


def _id_filter(name: str) -> int | None:
    """A filter's id ("" for any); a number no row can have, or no number, is refused."""
    value = request.args.get(name, "")
    if not value:
        return None
    try:
        return db_int(value)
    except ValueError:
        raise RefusedInput(
            _("That filter names no part of the day or table of this event: choose one from the list."),
            back_url=url_for("admin.attendees"),
        ) from None


def _page_number() -> int:
    try:
        number = db_int(request.args.get("page", "1"))
    except ValueError:
        abort(404)  # as for any page of the list that does not exist
    if number < 1:
        abort(404)
    return number


@bp.route("/")
def attendees():
    event = current_event_or_404()
    filters = _filters()
    page = attendee_page(event, filters, _page_number(), PAGE_SIZE)
    if page is None:
        abort(404)  # a page past the last
    return render_template(
        "registration/admin/attendees.html",
        event=event,
        page=page,
        lines=page.lines,
        filters=filters,
        statuses=list(AttendeeStatus),
        attendances=list(Attendance),
        places_left=places_left(event),
        answer_choices=[(q, options_of(q)) for q in filterable_questions(event)],
    )


@bp.route("/attendees.csv")
def attendees_export():
    event = current_event_or_404()
    rows = attendees_csv(event, _filters())  # read while sent: any number of attendees
    return Response(
        stream_with_context(row.encode("utf-8") for row in rows),
        content_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{event.slug}-attendees.csv"'},
    )


@bp.route("/needs")
def needs():
    """Numbers and needs for the venue and the caterer; prints on A4 as it is."""
    event = current_event_or_404()
    return render_template(
        "registration/admin/needs.html",
        event=event,
        parts=venue_needs.part_figures(event),
        dietary=venue_needs.dietary_needs(event),
        access=venue_needs.accessibility_needs(event),
        questions=question_figures(event),
    )


@bp.route("/badges.pdf")
def badges_sheet():
    """A4 sheets of badges with cut marks, for the confirmed attendees the filters select."""
    event = current_event_or_404()
    filters = _filters()
    filters.status = AttendeeStatus.CONFIRMED
    attendees = db.session.scalars(attendee_query(event, filters)).all()
    if not attendees:
        flash(_("No confirmed attendees match: no badges to print."), "warning")
        return redirect(url_for("admin.attendees", **request.args))
    pdf = badges_sheet_pdf([badge_for(a) for a in attendees])
    return Response(
        pdf, mimetype="application/pdf", headers={"Content-Disposition": 'inline; filename="badges.pdf"'}
    )


@bp.route("/attendees/<int:attendee_id>", methods=["GET", "POST"])
def attendee(attendee_id):
    attendee = of_served_event_or_404(Attendee, attendee_id)
    placement = _placement_form(attendee)
    if placement.validate_on_submit():
        attendee.pinned_table_id = placement.pinned_table_id.data or None
        attendee.needs_accessible_table = placement.needs_accessible_table.data
        db.session.commit()
        flash(_("Saved: the next assignment run uses it."), "success")
        return _back_to(attendee)
    token = manage_token(attendee)
    return render_template(
        "registration/admin/attendee.html",
        attendee=attendee,
        event=attendee.event,
        messages=_messages_to(attendee),
        answers=shown_answers(attendee),
        resend_form=ConfirmForm(),
        placement=placement,
        cancel_form=CancelForThemForm(),
        reinstate_form=ReinstateForm(),
        edit_url=url_for("registration.edit", token=token),
        certificate_url=(
            url_for("registration.certificate", token=token) if check_in_in_force(attendee) else None
        ),
    )


def _placement_form(attendee: Attendee) -> PlacementForm:
    """The world café's pin and accessible-table need, for the next assignment run."""
    placement = PlacementForm(obj=attendee)
    placement.pinned_table_id.choices = [(0, _("No pin"))] + [
        (t.id, t.display_name) for t in attendee.event.tables
    ]
    if not placement.is_submitted():
        placement.pinned_table_id.data = attendee.pinned_table_id or 0
    return placement


def _messages_to(attendee: Attendee) -> list[OutboxMessage]:
    """Every e-mail queued for them, the latest first."""
    return db.session.scalars(
        db.select(OutboxMessage).filter_by(attendee_id=attendee.id).order_by(OutboxMessage.id.desc())
    ).all()


def _back_to(attendee: Attendee):
    return redirect(url_for("admin.attendee", attendee_id=attendee.id))


# Organisers acting for someone who phoned or wrote: each action e-mails the attendee, as
# if they had done it themselves, and the audit log keeps who did it.


@bp.route("/attendees/<int:attendee_id>/cancel", methods=["POST"])
def cancel_for_them(attendee_id):
    attendee = of_served_event_or_404(Attendee, attendee_id)
    form = CancelForThemForm()
    if not form.validate_on_submit():
        flash(_("Tick the box to confirm the cancellation."), "warning")
    elif attendee.status != AttendeeStatus.CANCELLED:
        cancel_registration(attendee, cancelled_by=current_user.email)
        flash(
            _(
                "Cancelled: %(name)s is told by e-mail, and the place goes to the next in line.",
                name=attendee.full_name,
            ),
            "success",
        )
    return _back_to(attendee)


REINSTATED = {
    Reinstated.CONFIRMED: _l("Reinstated: %(name)s has a place again."),
    Reinstated.WAITLISTED: _l("Reinstated on the waiting list: the day is full, %(name)s has no place yet."),
}


@bp.route("/attendees/<int:attendee_id>/reinstate", methods=["POST"])
def reinstate_for_them(attendee_id):
    attendee = of_served_event_or_404(Attendee, attendee_id)
    form = ReinstateForm()
    if not form.validate_on_submit():
        flash(_("Tick the box to confirm taking the cancellation back."), "warning")
        return _back_to(attendee)
    result = reinstate(attendee, by=current_user.email, reason=form.reason.data or None)
    if result in REINSTATED:
        category = "success" if result is Reinstated.CONFIRMED else "warning"
        told = " " + _("They are told by e-mail.") if attendee.email else ""
        flash(str(REINSTATED[result]) % {"name": attendee.full_name} + told, category)
    elif result is Reinstated.ERASED:
        flash(_("Their personal data was deleted: this registration cannot come back."), "warning")
    return _back_to(attendee)


@bp.route("/attendees/<int:attendee_id>/badge", methods=["POST"])
def reissue_badge(attendee_id):
    attendee = of_served_event_or_404(Attendee, attendee_id)
    replacing = request.form.get("badge_version", type=int)
    if (
        ConfirmForm().validate_on_submit()
        and attendee.status == AttendeeStatus.CONFIRMED
        and replacing is not None
        and reissue_badge_for(attendee, current_user.email, replacing)
    ):
        flash(
            _(
                "A new badge is on its way to %(email)s; the old one no longer works at the desk.",
                email=attendee.email,
            )
            if attendee.email
            else _("A new badge is ready to print; the old one no longer works at the desk."),
            "success",
        )
    return _back_to(attendee)


@bp.route("/attendees/<int:attendee_id>/link", methods=["POST"])
def send_link(attendee_id):
    attendee = of_served_event_or_404(Attendee, attendee_id)
    if (
        ConfirmForm().validate_on_submit()
        and attendee.status != AttendeeStatus.CANCELLED
        and attendee.email  # a walk-in without e-mail: nowhere to send it
    ):
        send_manage_link(attendee)
        flash(_("Their personal link is on its way to %(email)s.", email=attendee.email), "success")
    return _back_to(attendee)


@bp.route("/messages/<int:message_id>/resend", methods=["POST"])
def resend_message(message_id):
    # An attendee's message (their page's "send again"), of the served event's attendees only.
    message = db.first_or_404(
        db.select(OutboxMessage)
        .join(Attendee, Attendee.id == OutboxMessage.attendee_id)
        .where(OutboxMessage.id == message_id, Attendee.event_id == current_event_or_404().id)
    )
    if ConfirmForm().validate_on_submit():
        mailer.resend(message)
        db.session.commit()
        flash(_("The message is queued to be sent again."), "success")
    return redirect(
        url_for("admin.attendee", attendee_id=message.attendee_id)
        if message.attendee_id
        else url_for("admin.attendees")
    )
