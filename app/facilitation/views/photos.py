"""Photos of a table's tablecloth or flipchart: the upload page, the pictures, removal."""

from pathlib import Path

from flask import abort, flash, g, redirect, render_template, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.extensions import db
from app.facilitation import attendance, notes, photos
from app.facilitation.forms import PhotoForm
from app.facilitation.views.blueprint import bp, nav
from app.facilitation.views.messages import photo_refusal
from app.models import TablePhoto
from app.reporting.report import round_title


@bp.route("/tables/<int:table_id>/photos", methods=["GET", "POST"])
def photos_page(table_id):
    rounds = [*attendance.attendance_rounds(g.event), notes.SUMMARY_ROUND]
    form = PhotoForm([(r, round_title(r)) for r in rounds])
    status = 200
    if form.validate_on_submit():
        outcome = photos.save_photo(
            g.table, form.round.data, form.photo.data.stream, form.caption.data, current_user.email
        )
        if outcome.result is photos.PhotoResult.SAVED:
            flash(_("Photo saved."), "success")
            return redirect(url_for(".photos_page", table_id=g.table.id))
        form.photo.errors = [photo_refusal(outcome.result)]
        status = 422
    page = render_template(
        "facilitation/photos.html",
        form=form,
        photos=photos.photos_of(g.table),
        max_mb=photos.max_photo_bytes() // 2**20,
        **nav("photos"),
    )
    return page, status


def _photo(photo_id: int) -> TablePhoto:
    """A photo of the table in the URL (another table's is 404)."""
    photo = db.session.get(TablePhoto, photo_id)
    if photo is None or photo.cafe_table_id != g.table.id:
        abort(404)
    return photo


@bp.get("/tables/<int:table_id>/photos/<int:photo_id>")
def photo_file(table_id, photo_id):
    return _image_response(photos.photo_path(_photo(photo_id)))


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
