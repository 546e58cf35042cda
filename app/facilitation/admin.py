"""Organisers' page (role admin): who facilitates which table."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from app.core.forms import ConfirmForm
from app.events.services import current_event_or_404, of_served_event_or_404
from app.extensions import db
from app.facilitation import facilitators as facilitation
from app.facilitation.forms import AssignFacilitatorForm
from app.models import CafeTable, Role, User
from app.staff.roles import roles_required
from app.staff.services import member_of

bp = Blueprint("admin_facilitators", __name__, url_prefix="/admin/facilitators")


@bp.before_request
@roles_required(Role.ADMIN)
def require_admin():
    """Every page here is for admins only."""


@bp.after_request
def _not_stored(response):
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/", methods=["GET", "POST"])
def facilitators():
    event = current_event_or_404()
    form = AssignFacilitatorForm(facilitation.facilitator_candidates(event), event.tables)
    if form.validate_on_submit():
        table, user = db.session.get(CafeTable, form.table_id.data), db.session.get(User, form.user_id.data)
        if table is None or user is None or table.event_id != event.id:
            abort(404)
        if facilitation.assign_facilitator(table, user):
            flash(
                _("%(name)s now facilitates %(table)s.", name=user.name, table=table.display_name), "success"
            )
        else:
            flash(
                _("%(name)s already facilitates %(table)s.", name=user.name, table=table.display_name), "info"
            )
        return redirect(url_for(".facilitators"))
    return render_template(
        "facilitation/facilitators.html",
        event=event,
        form=form,
        assigned=facilitation.facilitators_by_table(event),
        remove_form=ConfirmForm(),
    )


@bp.post("/tables/<int:table_id>/users/<int:user_id>/remove")
def remove(table_id, user_id):
    table, user = of_served_event_or_404(CafeTable, table_id), member_of(current_event_or_404(), user_id)
    if user is None:
        abort(404)
    if ConfirmForm().validate_on_submit() and facilitation.remove_facilitator(table, user):
        flash(
            _("%(name)s no longer facilitates %(table)s.", name=user.name, table=table.display_name),
            "success",
        )
    return redirect(url_for(".facilitators"))
