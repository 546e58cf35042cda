"""The organisers' review of each table's outcomes before publication: the results hub, a
table's notes beside its text for the public, publishing, and the photos picked for it."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.core.forms import ConfirmForm
from app.events.services import current_event_or_404, of_served_event_or_404
from app.models import CafeTable, Role
from app.reporting.report import round_title
from app.results import outcomes, outcomes_photos
from app.results.outcomes import SaveResult
from app.results.outcomes_forms import outcome_form, pick_photo_form
from app.results.outcomes_photos import PickResult
from app.staff.roles import roles_required

bp = Blueprint("admin_outcomes", __name__, url_prefix="/admin/results")


@bp.before_request
@roles_required(Role.ADMIN)
def require_admin():
    """Every page here is for admins only."""


@bp.after_request
def _not_stored(response):
    # Notes and names of people: never kept by a shared cache.
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/")
def index():
    event = current_event_or_404()
    return render_template(
        "results/admin_outcomes_index.html", event=event, tables=outcomes.table_outcomes(event)
    )


def _save_message(outcome: outcomes.SaveOutcome) -> tuple[str, str]:
    """What the page says for a save's result, and the notice's kind."""
    if outcome.result is SaveResult.SAVED:
        return _("Saved."), "success"
    if outcome.result is SaveResult.PUBLISHED:
        return _("Saved and published: the text is on the public results page."), "success"
    if outcome.result is SaveResult.STALE:
        return (
            _(
                "Someone else saved this text while you were editing it: nothing was saved. "
                "What you typed is still below; compare it with the saved text, then save again."
            ),
            "error",
        )
    if outcome.result is SaveResult.EMPTY:
        return _("There is no text to publish yet."), "error"
    return (
        _(
            "Not saved: the text names people who did not agree to be named in public: %(names)s. "
            "Remove their names, then save again.",
            names=", ".join(outcome.names),
        ),
        "error",
    )


@bp.route("/tables/<int:table_id>", methods=["GET", "POST"])
def review(table_id):
    table = of_served_event_or_404(CafeTable, table_id)
    event = current_event_or_404()
    saved = outcomes.outcome_of(table)
    form = outcome_form(event.languages)
    status, conflict = 200, None
    if form.validate_on_submit():
        outcome = outcomes.save_texts(
            table, form.texts(), form.version.data, current_user.email, publish=form.publish.data
        )
        message, kind = _save_message(outcome)
        flash(message, kind)
        if kind == "success":
            return redirect(url_for(".review", table_id=table.id))
        saved, status = outcomes.outcome_of(table), 422
        if outcome.result is SaveResult.STALE:
            # Shown beside what was typed; the next save, made knowing it, goes on top of it.
            conflict, status = saved, 409
            form.version.data, form.version.raw_data = (saved.version if saved else 0), []
    elif request.method == "GET":
        _fill(form, event, table, saved, redraft=bool(request.args.get("redraft")))
    else:
        status = 422
    page = render_template(
        "results/admin_outcomes_table.html",
        event=event,
        table=table,
        saved=saved,
        conflict=conflict,
        form=form,
        notes=outcomes.notes_of(table),
        picked=outcomes_photos.picked_photos(table),
        confirm_form=ConfirmForm(),
        drafting=saved is None or bool(request.args.get("redraft")),
    )
    return page, status


def _fill(form, event, table, saved, redraft: bool) -> None:
    """The saved text to edit, or a draft from the notes (none saved yet, or asked for)."""
    texts = outcomes.draft_texts(event, table) if redraft or saved is None else saved.text or {}
    for field in form.text_fields():
        field.data = texts.get(field.name.removeprefix("text_"), "")
    form.version.data = saved.version if saved else 0


@bp.post("/tables/<int:table_id>/unpublish")
def unpublish(table_id):
    table = of_served_event_or_404(CafeTable, table_id)
    if ConfirmForm().validate_on_submit() and outcomes.unpublish(table, current_user.email):
        flash(_("Unpublished: the table is no longer on the public results page."), "success")
    return redirect(url_for(".review", table_id=table.id))


@bp.get("/tables/<int:table_id>/photos")
def photos(table_id):
    table = of_served_event_or_404(CafeTable, table_id)
    return render_template(
        "results/admin_outcomes_photos.html",
        event=current_event_or_404(),
        table=table,
        photos=outcomes_photos.photos_to_pick(table),
        confirm_form=ConfirmForm(),
        round_title=round_title,
    )


def _photo_of(table: CafeTable, photo_id: int):
    photo = outcomes_photos.photo_of_table_or_none(table, photo_id)
    if photo is None:
        abort(404)
    return photo


@bp.route("/tables/<int:table_id>/photos/<int:photo_id>", methods=["GET", "POST"])
def pick_photo(table_id, photo_id):
    table = of_served_event_or_404(CafeTable, table_id)
    photo, event = _photo_of(table, photo_id), current_event_or_404()
    form = pick_photo_form(event.languages)
    status = 200
    if form.validate_on_submit():
        outcome = outcomes_photos.pick(
            table, photo, form.everyone_agreed.data, form.captions(), current_user.email
        )
        if outcome.result is PickResult.PICKED:
            flash(_("Photo picked for the public results page."), "success")
            return redirect(url_for(".photos", table_id=table.id))
        flash(_pick_refusal(outcome), "error")
        status = 422
    elif request.method == "GET":
        _fill_captions(form, photo)
    else:
        status = 422
    page = render_template(
        "results/admin_outcomes_pick.html",
        event=event,
        table=table,
        photo=photo,
        form=form,
        without_consent=outcomes_photos.without_photo_consent(table),
    )
    return page, status


def _fill_captions(form, photo) -> None:
    """The captions picked before, else the facilitator's caption in every language."""
    picked = outcomes_photos.pick_of(photo)
    for field in form.caption_fields():
        language = field.name.removeprefix("caption_")
        field.data = (picked.caption or {}).get(language, "") if picked else photo.caption or ""


def _pick_refusal(outcome: outcomes_photos.PickOutcome) -> str:
    if outcome.result is PickResult.NAMES:
        return _(
            "Not picked: the caption names people who did not agree to be named in public: %(names)s.",
            names=", ".join(outcome.names),
        )
    return _("Tick the box once you have checked that everyone in the photo agreed.")


@bp.post("/tables/<int:table_id>/photos/<int:photo_id>/unpick")
def unpick_photo(table_id, photo_id):
    table = of_served_event_or_404(CafeTable, table_id)
    if ConfirmForm().validate_on_submit() and outcomes_photos.unpick(_photo_of(table, photo_id)):
        flash(_("Photo taken off the public results page."), "success")
    return redirect(url_for(".photos", table_id=table.id))
