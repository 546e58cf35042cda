"""Desk devices for the organisers (role admin): create one (its token shown once, with a
pairing link and its QR code) or revoke it."""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.checkin.desks import (
    active_desk_named,
    create_desk_device,
    desk_devices,
    pairing_qr_data_uri,
    revoke_desk_device,
)
from app.checkin.forms import DeskDeviceForm
from app.core.forms import ConfirmForm
from app.events.services import current_event_or_404, of_served_event_or_404
from app.models import DeskDevice, Role
from app.staff.roles import roles_required

bp = Blueprint("admin_desks", __name__, url_prefix="/admin")


@bp.before_request
@roles_required(Role.ADMIN)
def require_admin():
    """Desk devices are the admins' to manage."""


@bp.route("/desks", methods=["GET", "POST"])
def desks():
    """Desk devices: create one (its token is shown once, with a pairing link) or revoke it."""
    event = current_event_or_404()
    form = DeskDeviceForm()
    pairing = None
    if form.validate_on_submit():
        if active_desk_named(event, form.name.data):
            form.name.errors.append(
                _("A desk named %(name)s is already active: choose another name.", name=form.name.data)
            )
        else:
            pairing = _new_desk(event, form.name.data)
            form = DeskDeviceForm(formdata=None)  # empty again: a second click would make a second desk
    return render_template(
        "checkin/desks.html",
        event=event,
        form=form,
        devices=desk_devices(event),
        pairing=pairing,
        revoke_form=ConfirmForm(),
    )


def _new_desk(event, name: str) -> dict:
    """Create the desk; its pairing link, token and the link's QR code, to show once."""
    device, token = create_desk_device(event, name, created_by=current_user.email)
    link = f"{url_for('desk.desk', _external=True)}#pair={token}"
    flash(
        _(
            "Desk %(name)s created. Open the pairing link on that device now: it is shown only once.",
            name=device.name,
        ),
        "success",
    )
    return {"token": token, "link": link, "qr": pairing_qr_data_uri(link)}


@bp.route("/desks/<int:device_id>/revoke", methods=["POST"])
def revoke_desk(device_id):
    device = of_served_event_or_404(DeskDevice, device_id)
    if ConfirmForm().validate_on_submit():
        revoke_desk_device(device, revoked_by=current_user.email)
        flash(_("Desk %(name)s can no longer check anyone in.", name=device.name), "success")
    return redirect(url_for("admin_desks.desks"))
