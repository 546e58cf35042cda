"""The event's data file (role admin): download the one in force, load an edited one, or go
back to an earlier one. A file with mistakes is refused whole, each problem with its line."""

from flask import Blueprint, Response, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from app.core.forms import ConfirmForm
from app.events.copying import SLUG_REFUSALS, NewEventRefused, copy_event
from app.events.event_file import EventFileError
from app.events.forms import EventFileForm, copy_event_form
from app.events.services import current_event_or_404, event_files, load_event
from app.extensions import db
from app.mail import schedule_update
from app.models import EventFile, Role
from app.registration.waiting_lists import fill_vacancies
from app.staff.roles import roles_required

bp = Blueprint("admin_event", __name__, url_prefix="/admin/event")


@bp.before_request
@roles_required(Role.ADMIN)
def require_admin():
    """Every page here is for admins only."""


@bp.route("/", methods=["GET", "POST"])
def event_file():
    event = current_event_or_404()
    form = EventFileForm()
    problems = None
    if form.validate_on_submit():
        upload = form.file.data
        try:
            text = upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            form.file.errors.append(_("The file is not UTF-8 text: save it as UTF-8 and load it again."))
        else:
            problems = _load(event, text, upload.filename or "event.yaml")
            if problems is None:
                return redirect(url_for(".event_file"))
    return _page(event, form, problems)


@bp.post("/files/<int:file_id>/restore")
def restore(file_id):
    event = current_event_or_404()
    earlier = db.first_or_404(db.select(EventFile).filter_by(id=file_id, event_id=event.id))
    if not ConfirmForm().validate_on_submit():
        return redirect(url_for(".event_file"))
    problems = _load(event, earlier.text, earlier.filename)
    if problems is None:
        return redirect(url_for(".event_file"))
    return _page(event, EventFileForm(formdata=None), problems)


@bp.route("/files/<int:file_id>.yaml")
def download(file_id):
    event = current_event_or_404()
    kept = db.first_or_404(db.select(EventFile).filter_by(id=file_id, event_id=event.id))
    return Response(
        kept.text,
        mimetype="application/yaml",
        headers={
            "Content-Disposition": f'attachment; filename="{kept.filename}"',
            "Cache-Control": "no-store",
        },
    )


@bp.route("/copy", methods=["GET", "POST"])
def copy():
    """A new event like this one: its file, tables and staff, another address, name and date."""
    event = current_event_or_404()
    form = copy_event_form(event)
    problems = None
    if form.validate_on_submit():
        try:
            new = copy_event(event, form.slug.data, form.names(), form.date.data, by=current_user.email)
        except NewEventRefused as refused:  # taken a moment ago by another request
            form.slug.errors.append(SLUG_REFUSALS[refused.reason])
        except EventFileError as error:
            problems = [(line, name, str(message)) for line, name, message in error.problems]
        else:
            flash(
                _(
                    "%(event)s is created, with the same tables and staff. Check its file: the"
                    " programme, places and texts are the ones of %(source)s.",
                    event=new.display_name,
                    source=event.display_name,
                ),
                "success",
            )
            return redirect(url_for("admin_event.event_file", event_slug=new.slug))
    return render_template("events/copy.html", event=event, form=form, problems=problems)


def _load(event, text: str, filename: str):
    """Load the file; None when it is in force, else its problems (nothing was changed)."""
    try:
        load_event(text, filename, loaded_by=current_user.email, slug=event.slug)
    except EventFileError as error:
        # str(): a lazy translation counts as safe HTML in Jinja, and these quote the file
        return [(line, name, str(message)) for line, name, message in error.problems]
    promoted = fill_vacancies(event)  # a raised capacity lets waiting people in
    flash(_("The event file is loaded: the programme, places and tables are updated."), "success")
    if schedule_update.schedule_plan(event):
        flash(
            _(
                "The day's date, times or place changed: "
                "tell the people registered from the Announcements page."
            ),
            "warning",
        )
    if promoted:
        flash(
            ngettext(
                "%(num)d person was let in from a waiting list, and is told by e-mail.",
                "%(num)d people were let in from the waiting lists, and are told by e-mail.",
                len(promoted),
            ),
            "success",
        )
    return None


def _page(event, form, problems):
    return render_template(
        "events/event_file.html",
        event=event,
        form=form,
        problems=problems,
        files=event_files(event),
        restore_form=ConfirmForm(),
    )
