"""The arrivals page (roles admin and desk; read-only): who is expected and not yet here,
and, after the day, who did not come. The page polls list.json (app/checkin/arrivals_schemas.py)
to follow what the desks scan."""

from flask import Blueprint, abort, jsonify, make_response, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from pydantic import ValidationError

from app.checkin.arrivals import ArrivalFilter, Arrivals, arrivals
from app.checkin.arrivals_schemas import ArrivalsAnswer, ArrivalsQuery, ExpectedPerson, PartArrivals
from app.checkin.point_counts import part_counts
from app.core.db_limits import RefusedInput, contains_nul
from app.core.openapi import describe
from app.events.services import current_event_or_404
from app.models import Event, Role
from app.staff.roles import roles_required
from app.worldcafe.services import published_run

bp = Blueprint("arrivals", __name__, url_prefix="/arrivals")
POLL_EVERY_MS = 4000
NUL_SENTENCE = _l("The search text holds a character that cannot be searched for: type it again.")
NOT_A_FILTER = _l("That filter names no part of the day or table of this event: choose one from the list.")


@bp.before_request
@roles_required(Role.DESK, Role.ADMIN)
def require_desk_role():
    """For the desk staff and the organisers."""


@bp.route("/")
def arrivals_page():
    event = current_event_or_404()
    query = _query(event, as_json=False)
    return render_template(
        "checkin/arrivals.html",
        event=event,
        query=query,
        answer=_answer(arrivals(event, _filter_of(query)), event),
        published=published_run(event) is not None,
        poll_every_ms=POLL_EVERY_MS,
    )


@bp.get("/list.json")
def arrivals_json():
    event = current_event_or_404()
    answer = _answer(arrivals(event, _filter_of(_query(event, as_json=True))), event)
    return jsonify(answer.model_dump(mode="json"))


def _query(event: Event, as_json: bool) -> ArrivalsQuery:
    """The filters from the query string; an id that is not the event's day part or table is
    refused (400), as a value no filter can have."""
    args = request.args.to_dict()
    args["organisation"] = args.get("organisation", "")[:100]
    if contains_nul(args):
        _refuse("the text holds a NUL character", as_json, NUL_SENTENCE)
    try:
        query = ArrivalsQuery.model_validate(args)
    except ValidationError as error:
        _refuse(describe(error), as_json)
    if query.part and query.part not in {part.id for part in event.day_parts}:
        _refuse("'part' is not a day part of this event", as_json)
    if query.table and query.table not in {table.id for table in event.tables}:
        _refuse("'table' is not a world café table of this event", as_json)
    return query


def _refuse(detail: str, as_json: bool, sentence: str | None = None):
    """A 400: JSON for the page's script, else the error page with a sentence."""
    if as_json:
        abort(make_response(jsonify(error="bad_request", detail=detail), 400))
    raise RefusedInput(
        str(sentence or NOT_A_FILTER),
        back_url=url_for("arrivals.arrivals_page"),
    )


def _filter_of(query: ArrivalsQuery) -> ArrivalFilter:
    return ArrivalFilter(day_part_id=query.part, table_id=query.table, organisation=query.organisation)


def _answer(result: Arrivals, event: Event) -> ArrivalsAnswer:
    organiser = current_user.role == Role.ADMIN  # the desk has no attendee pages
    return ArrivalsAnswer(
        after_the_day=result.after_the_day,
        expected=result.expected,
        arrived=result.arrived,
        not_arrived=result.waiting,
        people=[
            ExpectedPerson(
                id=person.id,
                name=person.name,
                organisation=person.organisation,
                tables=person.tables,
                url=url_for("admin.attendee", attendee_id=person.id) if organiser else None,
            )
            for person in result.not_arrived
        ],
        parts=[
            PartArrivals(
                key=count.key,
                name=count.name,
                own_check_in=count.own_check_in,
                expected=count.expected,
                arrived=count.arrived,
                not_yet=count.not_yet,
            )
            for count in part_counts(event)
        ],
    )
