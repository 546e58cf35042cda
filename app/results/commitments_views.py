"""The commitments' public page and Atom feed, and the organisers' pages: the list with its
filters, a new commitment, a status change with its public note."""

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from app.core.db_limits import RefusedInput, db_int
from app.events.services import current_event_or_404, of_served_event_or_404
from app.models import CafeTable, Commitment, CommitmentStatus, Role
from app.results import commitments as service
from app.results.commitments_feed import feed_xml
from app.results.commitments_forms import admin_commitment_form, status_form
from app.staff.roles import roles_required

bp = Blueprint("commitments", __name__, url_prefix="/results")
admin_bp = Blueprint("admin_commitments", __name__, url_prefix="/admin/results/commitments")


@admin_bp.before_request
@roles_required(Role.ADMIN)
def require_admin():
    """Every page here is for admins only."""


def _status_filter(back_endpoint: str) -> CommitmentStatus | None:
    """The ?status= filter; a status that does not exist is refused with a way back (400)."""
    try:
        return service.parse_status(request.args.get("status", ""))
    except ValueError:
        raise RefusedInput(
            _("There is no such status: choose one from the list."), back_url=url_for(back_endpoint)
        ) from None


@bp.get("/commitments")
def commitments_page():
    event = current_event_or_404()
    status = _status_filter("commitments.commitments_page")
    published = service.published_commitments(event, status)
    by_table = service.by_table(published)
    return render_template(
        "results/commitments.html",
        event=event,
        tables=[table for table in event.tables if table.id in by_table],
        commitments_by_table=by_table,
        status=status,
        status_labels=service.STATUS_LABELS,
        feed_url=url_for(".feed", lang=_feed_language(event)),
    )


def _feed_language(event) -> str | None:
    """The page's language for its feed link, when the feed is not in it already."""
    locale = str(get_locale())
    return locale if locale in event.languages[1:] else None


@bp.get("/commitments.atom")
def feed():
    event = current_event_or_404()
    lang = request.args.get("lang") or event.languages[0]
    if lang not in event.languages:
        abort(404)
    response = Response(feed_xml(event, lang), mimetype="application/atom+xml")
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


def _table_filter() -> int | None:
    value = request.args.get("table", "")
    if not value:
        return None
    try:
        table_id = db_int(value)
    except ValueError:
        raise RefusedInput(
            _("That table is not one of this event's."), back_url=url_for(".commitments")
        ) from None
    return of_served_event_or_404(CafeTable, table_id).id


@admin_bp.get("/")
def commitments():
    event = current_event_or_404()
    table_id, status = _table_filter(), _status_filter("admin_commitments.commitments")
    return render_template(
        "results/commitments_admin.html",
        event=event,
        commitments=service.commitments_of(event, table_id, status),
        public_ids={c.id for c in service.published_commitments(event)},
        table_id=table_id,
        status=status,
        status_labels=service.STATUS_LABELS,
        status_signs=service.STATUS_SIGNS,
    )


@admin_bp.route("/new", methods=["GET", "POST"])
def new_commitment():
    event = current_event_or_404()
    form = admin_commitment_form(event)
    if not form.is_submitted():
        form.table_id.data = request.args.get("table", type=db_int)  # from the list's filter
    if form.validate_on_submit():
        table = of_served_event_or_404(CafeTable, form.table_id.data)
        owner = service.owner_of(event, form.owner.data, form.owner_name.data)
        if owner is None:
            form.owner.errors = [_("Choose who takes it on from the list.")]
        else:
            commitment = service.create_commitment(
                table, form.texts(), owner, form.due_on.data, current_user.email
            )
            flash(_("Commitment saved."), "success")
            return redirect(url_for(".edit_commitment", commitment_id=commitment.id))
    status = 422 if form.is_submitted() else 200
    return render_template("results/commitments_new.html", event=event, form=form), status


@admin_bp.route("/<int:commitment_id>", methods=["GET", "POST"])
def edit_commitment(commitment_id):
    event = current_event_or_404()
    commitment = of_served_event_or_404(Commitment, commitment_id)
    form = status_form(event)
    if not form.is_submitted():
        _as_it_is(form, commitment)
    if form.validate_on_submit():
        changed = service.change_status(
            commitment, CommitmentStatus(form.status.data), form.notes(), current_user.email
        )
        flash(_("Status saved.") if changed else _("Nothing changed."), "success" if changed else "info")
        return redirect(url_for(".edit_commitment", commitment_id=commitment.id))
    status = 422 if form.is_submitted() else 200
    return _edit_page(event, commitment, form, _details_form(event, commitment)), status


def _edit_page(event, commitment, form, details_form) -> str:
    return render_template(
        "results/commitments_edit.html",
        event=event,
        commitment=commitment,
        shown=service.shown(commitment, public=False),
        public=service.is_public(commitment),
        form=form,
        details_form=details_form,
        status_labels=service.STATUS_LABELS,
    )


def _as_it_is(form, commitment):
    """The status form filled with the commitment's status and note."""
    form.status.data = commitment.status
    for lang, field in form.note_fields():
        field.data = (commitment.public_note or {}).get(lang, "")
    return form


def _details_form(event, commitment):
    """The organisers' own form, filled with the commitment as it is."""
    form = admin_commitment_form(event, formdata=None)
    form.table_id.data = commitment.cafe_table_id
    form.owner.data, form.owner_name.data = service.owner_choice(commitment)
    form.due_on.data = commitment.due_on
    for lang, field in form.text_fields():
        field.data = (commitment.text or {}).get(lang, "")
    return form


@admin_bp.post("/<int:commitment_id>/details")
def edit_details(commitment_id):
    """A correction of the text, who takes it on, by when, or the table."""
    event = current_event_or_404()
    commitment = of_served_event_or_404(Commitment, commitment_id)
    form = admin_commitment_form(event)
    if form.validate_on_submit():
        table = of_served_event_or_404(CafeTable, form.table_id.data)
        owner = service.owner_of(event, form.owner.data, form.owner_name.data)
        if owner is None:
            form.owner.errors = [_("Choose who takes it on from the list.")]
        else:
            changed = service.update_details(commitment, table, form.texts(), owner, form.due_on.data)
            flash(
                _("Commitment saved.") if changed else _("Nothing changed."), "success" if changed else "info"
            )
            return redirect(url_for(".edit_commitment", commitment_id=commitment.id))
    return _edit_page(event, commitment, _as_it_is(status_form(event, formdata=None), commitment), form), 422
