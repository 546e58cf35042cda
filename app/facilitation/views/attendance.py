"""Attendance at a table: the roster page, ticks and badge scans, and the roster as JSON
for the page to follow what other devices and the desk change."""

from flask import g, render_template, request
from flask_login import current_user

from app.extensions import limiter
from app.facilitation import attendance
from app.facilitation.schemas import (
    AttendanceAnswer,
    AttendeeRef,
    MarkAttendance,
    Roster,
    RosterPerson,
    RosterQuery,
    ScanBadge,
)
from app.facilitation.views.blueprint import bp, json_answer, json_body, nav, round_or_404, valid
from app.facilitation.views.messages import attendance_message
from app.worldcafe.services import published_run


@bp.route("/tables/<int:table_id>/")
def table(table_id):
    round = round_or_404(request.args.get("round", 1, type=int), with_summary=False)
    return render_template(
        "facilitation/table.html",
        roster=attendance.roster(g.table, round),
        published=published_run(g.event) is not None,
        **nav("attendance", round),
    )


@bp.post("/tables/<int:table_id>/attendance")
def mark_attendance(table_id):
    data = json_body(MarkAttendance)
    round_or_404(data.round, with_summary=False)
    outcome = attendance.set_presence(g.table, data.attendee_id, data.round, data.present, current_user.email)
    return _attendance_answer(outcome)


# A 6-character typed code may stand for the signed QR here: only a signed-in facilitator can
# try codes, rate-limited, and the answer names the person; a QR is made by anyone, so it stays signed.
@bp.post("/tables/<int:table_id>/scan")
@limiter.limit("60 per minute", key_func=lambda: f"facilitator-scan:{current_user.id}")
def scan_badge(table_id):
    data = json_body(ScanBadge)
    round_or_404(data.round, with_summary=False)
    outcome = attendance.scan_presence(g.table, data.code[:200], data.round, current_user.email)
    return _attendance_answer(outcome)


def _attendance_answer(outcome: attendance.AttendanceOutcome):
    """200 when marked; 422, with the reason and what to do, when refused."""
    marked = outcome.result.marked
    answer = AttendanceAnswer(result=outcome.result, marked=marked, message=attendance_message(outcome))
    if marked and outcome.attendee is not None:
        answer.attendee = AttendeeRef(id=outcome.attendee.id, name=outcome.attendee.full_name)
    return json_answer(answer, 200 if marked else 422, exclude_none=True)  # a refusal has no attendee


@bp.get("/tables/<int:table_id>/roster.json")
def roster_json(table_id):
    round = round_or_404(valid(RosterQuery, request.args.to_dict()).round, with_summary=False)
    people = [_person(entry) for entry in attendance.roster(g.table, round)]
    return json_answer(Roster(round=round, people=people))


def _person(entry: attendance.RosterEntry) -> RosterPerson:
    return RosterPerson(
        id=entry.attendee.id,
        name=entry.attendee.full_name,
        organisation=entry.attendee.organisation_name,
        small_table=entry.small_table_letter,
        on_roster=entry.on_roster,
        walk_up=entry.walk_up,
        checked_in=entry.checked_in,
        present=entry.present,
    )
