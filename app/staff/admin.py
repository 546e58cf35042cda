"""Staff accounts (role admin): invite people, change their role, deactivate them, or send
a new password link. An admin cannot do the last three to themselves, so the app always
keeps at least one admin who can sign in."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.core.forms import ConfirmForm
from app.events.services import current_event
from app.extensions import db
from app.models import Role, User
from app.staff import services as users
from app.staff.admin_forms import InviteForm, RoleForm
from app.staff.roles import roles_required

bp = Blueprint("admin_staff", __name__, url_prefix="/admin/staff")


@bp.before_request
@roles_required(Role.ADMIN)
def require_admin():
    """Every page here is for admins only."""


def _languages() -> list[str]:
    event = current_event()
    return list(event.languages) if event and event.languages else ["it", "en"]


@bp.route("/", methods=["GET", "POST"])
def staff():
    event = current_event()
    form = InviteForm(_languages(), event)
    if form.validate_on_submit():
        colleague = form.colleague()
        if colleague is not None:  # an account of the group: given this event too
            users.give_event(colleague, event)
            db.session.commit()
            flash(
                _(
                    "%(name)s now works on this event too, with the role they have: %(role)s.",
                    name=colleague.name,
                    role=users.ROLE_LABELS[Role(colleague.role)],
                ),
                "success",
            )
            return redirect(url_for(".staff"))
        try:
            user = users.invite_user(
                form.email.data,
                form.name.data,
                Role(form.role.data),
                form.language.data,
                current_user.email,
                current_event(),
            )
        except users.UserError:  # invited at the same moment by another request
            return redirect(url_for(".staff"))
        flash(
            _(
                "Invitation sent to %(email)s: they choose their own password from the link in the"
                " e-mail, within 7 days.",
                email=user.email,
            ),
            "success",
        )
        return redirect(url_for(".staff"))
    return render_template(
        "staff/staff.html",
        form=form,
        people=users.staff(current_event()),
        role_labels=users.ROLE_LABELS,
        role_form=RoleForm(),
        confirm_form=ConfirmForm(),
    )


def _someone_else(user_id: int) -> User:
    """A colleague given this event (anyone else's id is a 404)."""
    user = users.member_of(current_event(), user_id)
    if user is None or (user.instance_admin and not current_user.instance_admin):
        abort(404)
    if user.id == current_user.id:
        abort(403)  # the page offers no such button: see the module's docstring
    return user


@bp.post("/<int:user_id>/role")
def change_role(user_id):
    user = _someone_else(user_id)
    form = RoleForm()
    if form.validate_on_submit() and users.change_role(user, Role(form.role.data), current_user.email):
        label = users.ROLE_LABELS[Role(form.role.data)]
        flash(_("%(name)s is now %(role)s.", name=user.name, role=label), "success")
    return redirect(url_for(".staff"))


@bp.post("/<int:user_id>/deactivate")
def deactivate(user_id):
    user = _someone_else(user_id)
    if ConfirmForm().validate_on_submit():
        users.set_active(user, False, current_user.email)
        flash(_("%(name)s can no longer sign in, and is signed out.", name=user.name), "success")
    return redirect(url_for(".staff"))


@bp.post("/<int:user_id>/reactivate")
def reactivate(user_id):
    user = _someone_else(user_id)
    if ConfirmForm().validate_on_submit():
        users.set_active(user, True, current_user.email)
        flash(_("%(name)s can sign in again.", name=user.name), "success")
    return redirect(url_for(".staff"))


@bp.post("/<int:user_id>/password-link")
def send_password_link(user_id):
    user = _someone_else(user_id)
    if ConfirmForm().validate_on_submit() and user.active:
        users.send_new_link(user, current_user.email)
        flash(
            _(
                "A new password link is on its way to %(email)s; their old password no longer works.",
                email=user.email,
            ),
            "success",
        )
    return redirect(url_for(".staff"))


@bp.after_request
def _not_stored(response):
    response.headers["Cache-Control"] = "no-store"
    return response
