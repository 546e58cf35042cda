"""Facilitators' pages (role facilitator, for their own tables; admins for every table):
attendance, notes per round, photos; and the synthesis shown on the projector at 16:00.

Every route with a table id in its URL is checked in ``_load_table`` before the view runs:
a facilitator of another table gets 403, a missing table 404.
"""

from pathlib import Path

from flask import (
    Blueprint,
    abort,
    flash,
    g,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge

from app.core.db_limits import DB_INT_MAX, contains_nul
from app.events.services import current_event_or_404
from app.extensions import db
from app.facilitation import attendance as facilitation
from app.facilitation import notes, photos
from app.facilitation.forms import PhotoForm
from app.facilitation.notes import synthesis_columns
from app.models import NOTE_KINDS, CafeTable, Role, TablePhoto
from app.reporting.report import KIND_LABELS, round_title
from app.staff.roles import roles_required

bp = Blueprint("facilitators", __name__, url_prefix="/facilitators")
synthesis_bp = Blueprint("synthesis", __name__, url_prefix="/synthesis")
STATIC_JS = Path(__file__).resolve().parent.parent / "static" / "js"


@bp.url_value_preprocessor
def _limit_request_size(endpoint, values):
    # Runs before CSRF reads the form: a body past the limit is refused unread (413).
    photo_upload = endpoint == "facilitators.photos_page"
    request.max_content_length = photos.max_photo_bytes() + 256 * 1024 if photo_upload else 2 * 2**20


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(error):
    if request.endpoint == "facilitators.photos_page":
        flash(_photo_refusal(photos.PhotoResult.TOO_LARGE), "error")
        return redirect(url_for(".photos_page", **request.view_args))
    return jsonify(error="too_large"), 413


@bp.before_request
@roles_required(Role.FACILITATOR, Role.ADMIN)
def require_facilitator_role():
    """Every page is for facilitators and admins."""


@bp.before_request
def _load_table():
    """The table in the URL, if it is of the event being served and the current user may
    work at it (a table of another event is 404, as a missing one)."""
    table_id = (request.view_args or {}).get("table_id")
    if table_id is None:
        return
    event = current_event_or_404()
    table = db.session.get(CafeTable, table_id)
    if table is None or table.event_id != event.id:
        abort(404)
    if not facilitation.may_facilitate(current_user, table):
        abort(403)
    g.table, g.event = table, event


@bp.after_request
def _not_stored(response):
    # Names and notes: never kept by a shared cache (the notes page's own offline copy
    # lives in its service worker's cache, on the facilitator's device).
    response.headers.setdefault("Cache-Control", "no-store")
    return response


def _round_or_404(round: int, with_summary: bool) -> int:
    allowed = facilitation.attendance_rounds(g.event)
    if round not in allowed and not (with_summary and round == notes.SUMMARY_ROUND):
        abort(404)
    return round


def _nav(active: str, round: int | None = None) -> dict:
    rounds = facilitation.attendance_rounds(g.event)
    return {
        "table": g.table,
        "event": g.event,
        "rounds": rounds,
        "note_rounds": [*rounds, notes.SUMMARY_ROUND],
        "round_title": round_title,
        "active": active,
        "round": round,
    }


def _json_body() -> dict:
    data = request.get_json(silent=True)
    if contains_nul(data):  # no column can store it: a clear 400, not the database's 500
        abort(make_response(jsonify(error="bad_request", detail="the text holds a NUL character"), 400))
    return data if isinstance(data, dict) else {}


def _whole_number(value) -> int | None:
    """An id or a round from a JSON body: a whole number the database can hold, else None."""
    whole = isinstance(value, int) and not isinstance(value, bool)
    return value if whole and 0 <= value <= DB_INT_MAX else None


@bp.route("/")
def index():
    event = current_event_or_404()
    tables = facilitation.tables_for(current_user, event)
    return render_template("facilitation/index.html", event=event, tables=tables)


@bp.route("/sw.js")
def service_worker():
    """The notes pages' service worker, served here so that its scope covers them."""
    response = send_file(STATIC_JS / "facilitation" / "notes-sw.js", mimetype="text/javascript", max_age=0)
    response.headers["Cache-Control"] = "no-cache"
    return response


# ---- Attendance -----------------------------------------------------------------------------


@bp.route("/tables/<int:table_id>/")
def table(table_id):
    round = _round_or_404(request.args.get("round", 1, type=int), with_summary=False)
    return render_template(
        "facilitation/table.html",
        roster=facilitation.roster(g.table, round),
        published=facilitation.published_run(g.event) is not None,
        **_nav("attendance", round),
    )


Attendance = facilitation.AttendanceResult
# What the page shows for each answer; {name} is the person's name.
ATTENDANCE_MESSAGES = {
    Attendance.PRESENT: _l("{name}: present"),
    Attendance.ABSENT: _l("{name}: not present"),
    Attendance.WALK_UP: _l("{name}: present (not on this table's list)"),
    Attendance.NOT_ON_ROSTER: _l("Not on this table's list: scan their badge to add them."),
    Attendance.NOT_CHECKED_IN: _l("{name} has not checked in at the desk: send them there first."),
    Attendance.WAITLISTED: _l("{name} is on the waiting list, with no place today: send them to the desk."),
    Attendance.CANCELLED: _l("{name} cancelled their registration: send them to the desk."),
    Attendance.UNKNOWN_ATTENDEE: _l("Unknown registration"),
    Attendance.NOT_A_BADGE: _l("Not a badge"),
    Attendance.FORGED: _l("Forged badge"),
    Attendance.REVOKED: _l("Old badge, replaced by a newer one"),
    Attendance.OTHER_EVENT: _l("Badge for another event"),
}


def _attendance_json(outcome) -> tuple[dict, int]:
    """200 when marked; 422, with the reason and what to do, when refused."""
    name = outcome.attendee.full_name if outcome.attendee is not None else ""
    body = {
        "result": outcome.result.value,
        "marked": outcome.result.marked,
        "message": str(ATTENDANCE_MESSAGES[outcome.result]).replace("{name}", name),
    }
    if outcome.attendee is not None and outcome.result.marked:
        body["attendee"] = {"id": outcome.attendee.id, "name": name}
    return body, 200 if outcome.result.marked else 422


@bp.post("/tables/<int:table_id>/attendance")
def mark_attendance(table_id):
    data = _json_body()
    attendee_id, round = _whole_number(data.get("attendee_id")), _whole_number(data.get("round"))
    if attendee_id is None or round is None or not isinstance(data.get("present"), bool):
        return jsonify(error="bad_request", detail="attendee_id, round and present are required"), 400
    _round_or_404(round, with_summary=False)
    outcome = facilitation.set_presence(g.table, attendee_id, round, data["present"], current_user.email)
    body, status = _attendance_json(outcome)
    return jsonify(body), status


@bp.post("/tables/<int:table_id>/scan")
def scan_badge(table_id):
    data = _json_body()
    code, round = data.get("code"), _whole_number(data.get("round"))
    if not isinstance(code, str) or round is None:
        return jsonify(error="bad_request", detail="code and round are required"), 400
    _round_or_404(round, with_summary=False)
    outcome = facilitation.scan_presence(g.table, code[:200], round, current_user.email)
    body, status = _attendance_json(outcome)
    return jsonify(body), status


@bp.get("/tables/<int:table_id>/roster.json")
def roster_json(table_id):
    round = _round_or_404(request.args.get("round", 1, type=int), with_summary=False)
    entries = facilitation.roster(g.table, round)
    return jsonify(
        round=round,
        people=[
            {
                "id": e.attendee.id,
                "name": e.attendee.full_name,
                "organisation": e.attendee.organisation_name,
                "small_table": e.small_table_letter,
                "on_roster": e.on_roster,
                "walk_up": e.walk_up,
                "checked_in": e.checked_in,
                "present": e.present,
            }
            for e in entries
        ],
    )


# ---- Notes ----------------------------------------------------------------------------------


def _sheet_state(round: int) -> dict:
    sheet = notes.sheet_for(g.table, round)
    return {
        "round": round,
        "version": sheet.version if sheet else 0,
        "content": notes.SheetContent.of(sheet).as_json(),
        "updated_by": sheet.updated_by if sheet else None,
        "conflicts": [
            {"id": r.id, "author": r.author, "content": r.content, "at": r.created_at.isoformat() + "Z"}
            for r in notes.open_conflicts(sheet)
        ],
    }


@bp.get("/tables/<int:table_id>/notes/<int:round>")
def notes_page(table_id, round):
    _round_or_404(round, with_summary=True)
    return render_template(
        "facilitation/notes.html",
        state=_sheet_state(round),
        kinds=[(kind, KIND_LABELS[kind]) for kind in NOTE_KINDS],
        storage_key=f"noiday.notes.u{current_user.id}.t{g.table.id}.r{round}",
        **_nav("notes", round),
    )


@bp.get("/tables/<int:table_id>/notes/<int:round>.json")
def notes_state(table_id, round):
    _round_or_404(round, with_summary=True)
    return jsonify(_sheet_state(round))


@bp.post("/tables/<int:table_id>/notes/<int:round>")
def save_notes(table_id, round):
    """The page's autosave: 200 saved (or replayed), 409 conflict (kept, nothing overwritten)."""
    _round_or_404(round, with_summary=True)
    data = _json_body()
    base_version = _whole_number(data.get("base_version"))
    resolves = data.get("resolves") or []
    if base_version is None or not isinstance(resolves, list):
        return jsonify(error="bad_request", detail="base_version is required"), 400
    try:
        content = notes.SheetContent.from_json(data)
        outcome = notes.save_sheet(
            g.table,
            round,
            content,
            base_version,
            data.get("save_id"),
            current_user.email,
            resolves=[r for r in resolves if _whole_number(r) is not None],
        )
    except ValueError as error:
        return jsonify(error="bad_request", detail=str(error)), 400
    body = {
        "result": outcome.result.value,
        "version": outcome.version,
        "content": outcome.content.as_json(),
        "updated_by": outcome.updated_by,
        "revision_id": outcome.revision.id,
        "replayed": outcome.replayed,
    }
    return jsonify(body), 200 if outcome.result is notes.SaveResult.SAVED else 409


@bp.get("/tables/<int:table_id>/notes/<int:round>/history")
def notes_history(table_id, round):
    _round_or_404(round, with_summary=True)
    sheet = notes.sheet_for(g.table, round)
    return render_template(
        "facilitation/history.html",
        revisions=notes.revisions_of(sheet),
        kinds=[(kind, KIND_LABELS[kind]) for kind in NOTE_KINDS],
        **_nav("notes", round),
    )


# ---- Photos ---------------------------------------------------------------------------------

PHOTO_REFUSALS = {
    photos.PhotoResult.EMPTY: _l("The file is empty."),
    photos.PhotoResult.TOO_LARGE: _l("The photo is too large: at most %(mb)d MB."),
    photos.PhotoResult.TOO_MANY_PIXELS: _l("The picture has too many pixels."),
    photos.PhotoResult.NOT_AN_IMAGE: _l("This file is not a photo (JPEG, PNG, WebP, GIF…)."),
}


def _photo_refusal(result: photos.PhotoResult) -> str:
    return str(PHOTO_REFUSALS[result]) % {"mb": photos.max_photo_bytes() // 2**20}


@bp.route("/tables/<int:table_id>/photos", methods=["GET", "POST"])
def photos_page(table_id):
    round_titles = [
        (r, round_title(r)) for r in [*facilitation.attendance_rounds(g.event), notes.SUMMARY_ROUND]
    ]
    max_bytes = photos.max_photo_bytes()
    status = 200
    form = PhotoForm(round_titles)
    if form.validate_on_submit():
        outcome = photos.save_photo(
            g.table, form.round.data, form.photo.data.stream, form.caption.data, current_user.email
        )
        if outcome.result is photos.PhotoResult.SAVED:
            flash(_("Photo saved."), "success")
            return redirect(url_for(".photos_page", table_id=g.table.id))
        form.photo.errors = [_photo_refusal(outcome.result)]
        status = 422
    return (
        render_template(
            "facilitation/photos.html",
            form=form,
            photos=photos.photos_of(g.table),
            max_mb=max_bytes // 2**20,
            **_nav("photos"),
        ),
        status,
    )


def _photo(photo_id: int) -> TablePhoto:
    photo = db.session.get(TablePhoto, photo_id)
    if photo is None or photo.cafe_table_id != g.table.id:
        abort(404)
    return photo


@bp.get("/tables/<int:table_id>/photos/<int:photo_id>")
def photo_file(table_id, photo_id):
    photo = _photo(photo_id)
    return _image_response(photos.photo_path(photo))


@bp.get("/tables/<int:table_id>/photos/<int:photo_id>/thumb")
def photo_thumbnail(table_id, photo_id):
    return _image_response(photos.photo_path(_photo(photo_id), thumbnail=True))


@bp.post("/tables/<int:table_id>/photos/<int:photo_id>/delete")
def delete_photo(table_id, photo_id):
    photos.delete_photo(g.table, _photo(photo_id), current_user.email)
    flash(_("Photo removed."), "success")
    return redirect(url_for(".photos_page", table_id=g.table.id))


def _image_response(path: Path):
    if not path.exists():
        abort(404)
    mimetype = "image/png" if path.suffix == ".png" else "image/jpeg"
    response = send_file(path, mimetype=mimetype, max_age=0, conditional=True)
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response


# ---- The synthesis (16:00, on the projector) -------------------------------------------


@synthesis_bp.before_request
@roles_required(Role.FACILITATOR, Role.ADMIN)
def require_synthesis_role():
    """The synthesis is shown by an admin; facilitators may follow it too."""


@synthesis_bp.get("/")
def synthesis():
    event = current_event_or_404()
    return render_template("facilitation/synthesis.html", event=event, columns=synthesis_columns(event))


@synthesis_bp.get("/data.json")
def synthesis_data():
    response = jsonify(tables=synthesis_columns(current_event_or_404()))
    response.headers["Cache-Control"] = "no-store"
    return response
