"""Organisers' world café page: run, preview and compare runs, move people, publish."""

import json

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from app.core.db_limits import db_int
from app.events.services import current_event_or_404, of_served_event_or_404
from app.extensions import db
from app.models import AssignmentRun, Attendee, CafeTable, Role
from app.staff.roles import roles_required
from app.worldcafe import services as world_cafe
from app.worldcafe.engine import AssignmentError
from app.worldcafe.explanations import reason_sentence
from app.worldcafe.forms import MoveForm, PublishForm, RunForm
from app.worldcafe.person_search import find_person, suggestions
from app.worldcafe.publication import PublishRefusal, PublishRefused

bp = Blueprint("admin_assignment", __name__, url_prefix="/admin/assignment")


@bp.before_request
@roles_required(Role.ADMIN)
def require_admin():
    """Organisers only."""


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
                groups=form.groups.data,
                group_weight=float(form.group_weight.data or 0),
                seed=form.seed.data or 0,
                full=form.full.data,
            )
        except AssignmentError as error:
            flash(_("The assignment cannot be made: %(reason)s", reason=str(error)), "error")
        else:
            return redirect(url_for("admin_assignment.run", run_id=run.id))
    return render_template(
        "worldcafe/assignment.html",
        event=event,
        form=form,
        runs=_runs_of(event),
        published=world_cafe.published_run(event),
    )


def _runs_of(event) -> list[AssignmentRun]:
    return db.session.scalars(
        db.select(AssignmentRun).filter_by(event_id=event.id).order_by(AssignmentRun.id.desc())
    ).all()


@bp.route("/runs/<int:run_id>", methods=["GET", "POST"])
def run(run_id):
    event = current_event_or_404()
    run = of_served_event_or_404(AssignmentRun, run_id)
    tables = {t.id: t for t in event.tables}
    people = {a.id: a for a in world_cafe.cafe_people(event)}
    candidates = suggestions(run, people)
    move_form = MoveForm()
    move_form.table_id.choices = [(t.id, t.display_name) for t in event.tables]
    if move_form.validate_on_submit() and _move_by_hand(run, candidates, move_form):
        return redirect(url_for("admin_assignment.run", run_id=run.id, **request.args))
    seats = [s for s in run.seats if s.round == 1]
    table_of = {s.attendee_id: s.cafe_table_id for s in seats}
    return render_template(
        "worldcafe/assignment_run.html",
        event=event,
        run=run,
        tables=tables,
        unlucky=_unlucky(run, seats, people, tables),
        rosters=_rosters(seats, people, tables),
        compare=_run_to_compare(event),
        other_runs=[r for r in _runs_of(event) if r.id != run.id],
        published=world_cafe.published_run(event),
        move_form=move_form,
        suggestions=[(label, tables.get(table_of.get(a.id))) for label, a in candidates],
    )


def _move_by_hand(run: AssignmentRun, candidates, form: MoveForm) -> bool:
    """Make the move the form asks for and flash how it went; False (an error on the form,
    what was typed kept) when the typed text names nobody in this run, or several people."""
    if run.published_at is not None:
        flash(_("This move is not possible."), "error")
        return True
    found = find_person(candidates, form.person.data)
    if found.person is None:
        form.person.errors.append(_not_found_message(form.person.data, found.matches))
        return False
    # The table's choices are the event's (the form checks them); the person is one of the run's.
    table = db.session.get(CafeTable, form.table_id.data)
    warnings = world_cafe.move_person(run, found.person, table)
    message = _("%(name)s moved to %(table)s.", name=found.person.full_name, table=table.display_name)
    if warnings:
        labels = _move_warning_labels()
        message += " " + _("Warning: %(list)s.", list="; ".join(labels[w] for w in warnings))
    flash(message, "warning" if warnings else "success")
    return True


def _not_found_message(typed: str, matches: list[Attendee]) -> str:
    if not matches:
        return _("Nobody in this run matches “%(typed)s”.", typed=typed)
    names = ", ".join(a.full_name for a in matches[:5]) + (", …" if len(matches) > 5 else "")
    return ngettext(
        "%(num)d person matches “%(typed)s”: %(names)s. Pick one from the suggestions.",
        "%(num)d people match “%(typed)s”: %(names)s. Pick one from the suggestions.",
        len(matches),
        typed=typed,
        names=names,
    )


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


@bp.route("/runs/<int:run_id>/publish", methods=["GET", "POST"])
def publish(run_id):
    """Show who would be e-mailed; publish when that is confirmed (once, and only that plan)."""
    event = current_event_or_404()
    run = of_served_event_or_404(AssignmentRun, run_id)
    form = PublishForm()
    if run.published_at is not None:
        if request.method == "POST":
            flash(_("This run was already published: nobody was e-mailed again."), "warning")
        return redirect(url_for("admin_assignment.run", run_id=run.id))
    if form.validate_on_submit():
        try:
            notified = world_cafe.publish(run, current_user.email, expected=form.plan.data)
        except PublishRefused as refused:
            if refused.reason == PublishRefusal.ALREADY_PUBLISHED:
                flash(_("This run was already published: nobody was e-mailed again."), "warning")
                return redirect(url_for("admin_assignment.run", run_id=run.id))
            flash(_("Something changed since this page was shown: check the figures again."), "warning")
        else:
            flash(_("Published. People e-mailed about their table: %(num)d.", num=notified), "success")
            return redirect(url_for("admin_assignment.run", run_id=run.id))
    plan = world_cafe.publication_plan(run)
    form.plan.data = plan.fingerprint
    tables = {t.id: t for t in event.tables}
    return render_template(
        "worldcafe/publish.html", event=event, run=run, plan=plan, tables=tables, form=form
    )
