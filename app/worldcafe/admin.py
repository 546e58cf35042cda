"""Organisers' world café page: run, preview and compare runs, move people, publish."""

import json

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import BooleanField, DecimalField, IntegerField, SelectField
from wtforms.validators import NumberRange, Optional

from app.core.db_limits import db_int
from app.core.forms import AppForm, ConfirmForm
from app.events.services import current_event_or_404, of_served_event_or_404
from app.extensions import db
from app.models import AssignmentRun, Attendee, CafeTable, Role
from app.staff.roles import roles_required
from app.worldcafe import services as world_cafe
from app.worldcafe.engine import AssignmentError
from app.worldcafe.explanations import reason_sentence

bp = Blueprint("admin_assignment", __name__, url_prefix="/admin/assignment")


@bp.before_request
@roles_required(Role.ADMIN)
def require_admin():
    """Organisers only."""


class RunForm(AppForm):
    mixing_weight = DecimalField(
        _l("Mixing of organisations"), [Optional(), NumberRange(min=0, max=10)], default=0, places=2,
        description=_l("0: organisations are spread only where it costs no preference. Higher values trade "
                       "first choices for more mixing; the run shows what it cost."),
    )  # fmt: skip
    seed = IntegerField(_l("Seed"), [Optional(), NumberRange(min=0, max=10**9)], default=0)
    full = BooleanField(_l("Full re-optimisation (people may change table)"))


class MoveForm(AppForm):
    attendee_id = IntegerField(_l("Attendee number"), [NumberRange(min=1)])
    table_id = SelectField(_l("Table"), coerce=int)


@bp.route("/", methods=["GET", "POST"])
def runs():
    event = current_event_or_404()
    form = RunForm()
    if form.validate_on_submit():
        try:
            run = world_cafe.run_assignment(
                event,
                created_by=current_user.email,
                mixing_weight=float(form.mixing_weight.data or 0),
                seed=form.seed.data or 0,
                full=form.full.data,
            )
        except AssignmentError as error:
            flash(_("The assignment cannot be made: %(reason)s", reason=str(error)), "error")
        else:
            return redirect(url_for("admin_assignment.run", run_id=run.id))
    all_runs = db.session.scalars(
        db.select(AssignmentRun).filter_by(event_id=event.id).order_by(AssignmentRun.id.desc())
    ).all()
    return render_template(
        "worldcafe/assignment.html",
        event=event,
        form=form,
        runs=all_runs,
        published=world_cafe.published_run(event),
    )


@bp.route("/runs/<int:run_id>", methods=["GET", "POST"])
def run(run_id):
    event = current_event_or_404()
    run = of_served_event_or_404(AssignmentRun, run_id)
    tables = {t.id: t for t in event.tables}
    move_form = MoveForm()
    move_form.table_id.choices = [(t.id, t.display_name) for t in event.tables]
    if move_form.validate_on_submit():
        _move_by_hand(event, run, move_form)
        return redirect(url_for("admin_assignment.run", run_id=run.id, **request.args))
    people = {a.id: a for a in world_cafe.cafe_people(event)}
    seats = [s for s in run.seats if s.round == 1]
    return render_template(
        "worldcafe/assignment_run.html",
        event=event,
        run=run,
        tables=tables,
        unlucky=_unlucky(run, seats, people, tables),
        rosters=_rosters(seats, people, tables),
        compare=_run_to_compare(event),
        move_form=move_form,
        publish_form=ConfirmForm(),
    )


def _move_by_hand(event, run: AssignmentRun, form: MoveForm) -> None:
    """Make the move the form asks for and flash how it went, with any warnings."""
    attendee = db.session.get(Attendee, form.attendee_id.data)
    table = db.session.get(CafeTable, form.table_id.data)
    # The table's choices are the event's; the attendee number is typed, so checked here.
    if attendee is None or attendee.event_id != event.id or table is None or run.published_at is not None:
        flash(_("This move is not possible."), "error")
        return
    warnings = world_cafe.move_person(run, attendee, table)
    message = _("%(name)s moved to %(table)s.", name=attendee.full_name, table=table.display_name)
    if warnings:
        labels = _move_warning_labels()
        message += " " + _("Warning: %(list)s.", list="; ".join(labels[w] for w in warnings))
    flash(message, "warning" if warnings else "success")


def _move_warning_labels() -> dict[str, str]:
    return {
        "capacity": _("the table is now over capacity"),
        "pin": _("this breaks the person's pin"),
        "accessibility": _("the table is not accessible"),
    }


def _unlucky(run: AssignmentRun, seats, people: dict, tables: dict) -> list[tuple]:
    """(attendee, why) for the people the run could not give any of their choices."""
    unlucky_ids = set(run.summary.get("unlucky", []))
    return [
        (people.get(s.attendee_id), reason_sentence(json.loads(s.reason), tables))
        for s in seats
        if s.attendee_id in unlucky_ids
    ]


def _rosters(seats, people: dict, tables: dict) -> dict[int, list[Attendee]]:
    """Table id -> the people seated there in round 1, by surname."""
    rosters = {table_id: [] for table_id in tables}
    for seat in seats:
        if seat.cafe_table_id in rosters and seat.attendee_id in people:
            rosters[seat.cafe_table_id].append(people[seat.attendee_id])
    for roster in rosters.values():
        roster.sort(key=lambda a: (a.last_name, a.first_name))
    return rosters


def _run_to_compare(event) -> AssignmentRun | None:
    """The run named by ?compare=, if it is one of this event's."""
    return db.session.scalar(
        db.select(AssignmentRun).filter_by(
            id=request.args.get("compare", type=db_int) or 0, event_id=event.id
        )
    )


@bp.route("/runs/<int:run_id>/publish", methods=["POST"])
def publish(run_id):
    run = of_served_event_or_404(AssignmentRun, run_id)
    if ConfirmForm().validate_on_submit() and run.published_at is None:
        notified = world_cafe.publish(run, current_user.email)
        flash(_("Published. People e-mailed about their table: %(num)d.", num=notified), "success")
    return redirect(url_for("admin_assignment.run", run_id=run.id))
