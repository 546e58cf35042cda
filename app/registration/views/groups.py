"""Groups: the form that registers several people at once, and the contact's page (the
group's people, adding and cancelling them). The rules: app/registration/groups.py."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.core.forms import ConfirmForm
from app.events.services import current_event_or_404
from app.extensions import db, limiter
from app.registration.group_forms import GroupRegistrationForm, group_contact, members_data
from app.registration.groups import GroupError, active_members, add_members, cancel_member, register_group
from app.registration.places import places_left
from app.registration.tokens import group_for_token, group_token, manage_token
from app.registration.views.blueprint import bp

CLOSED = _l("Registration is closed: to change the group, please write to the organisers.")


def _group_or_404(token: str):
    """The group a contact's link names, under its own event's address only."""
    group = group_for_token(token)
    if group is None or group.event_id != current_event_or_404().id:
        abort(404)
    return group


def _rows_asked() -> int:
    return request.args.get("people", type=int) or 0


@bp.route("/register/group", methods=["GET", "POST"])
@limiter.limit("10 per minute; 60 per hour", methods=["POST"])
def register_group_page():
    event = current_event_or_404()
    if not event.takes_groups:
        abort(404)
    if not event.registration_is_open():
        return render_template("registration/closed.html", event=event)
    form = GroupRegistrationForm(event, rows=_rows_asked())
    if form.is_submitted() and "add_row" in request.form:
        form.add_row()  # nothing is checked yet: they are still typing
    elif form.validate_on_submit():
        try:
            group = register_group(event, group_contact(form), members_data(form))
        except GroupError as error:
            _show_error(form, error)
        else:
            flash(
                _("Thank you: the group is registered. We have sent you an e-mail with this page's link."),
                "success",
            )
            return redirect(url_for("registration.group_page", token=group_token(group)))
    return _form_page("registration/group_register.html", event, form)


@bp.route("/g/<token>")
def group_page(token):
    group = _group_or_404(token)
    event = group.event
    return render_template(
        "registration/group.html",
        event=event,
        group=group,
        token=token,
        members=group.members,
        member_links={member.id: manage_token(member) for member in group.members},
        can_change=event.registration_is_open(),
        room=event.group_max_size - len(active_members(group)),
        cancel_form=ConfirmForm(),
    )


@bp.route("/g/<token>/add", methods=["GET", "POST"])
@limiter.limit("10 per minute; 60 per hour", methods=["POST"])
def group_add(token):
    group = _group_or_404(token)
    event = group.event
    if not event.registration_is_open():
        flash(str(CLOSED), "warning")
        return redirect(url_for("registration.group_page", token=token))
    form = GroupRegistrationForm(event, rows=1, contact_fields=False)
    if form.is_submitted() and "add_row" in request.form:
        form.add_row()
    elif form.validate_on_submit():
        try:
            added = add_members(group, members_data(form, group))
        except GroupError as error:
            _show_error(form, error)
        else:
            flash(_("Added to the group: %(names)s.", names=", ".join(a.full_name for a in added)), "success")
            return redirect(url_for("registration.group_page", token=token))
    return _form_page("registration/group_add.html", event, form, group=group, token=token)


@bp.route("/g/<token>/members/<int:attendee_id>/cancel", methods=["POST"])
def group_cancel_member(token, attendee_id):
    group = _group_or_404(token)
    member = next((m for m in group.members if m.id == attendee_id), None)
    if member is None:  # another group's person, or nobody: never theirs to cancel
        abort(404)
    if ConfirmForm().validate_on_submit():
        try:
            cancel_member(group, member)
        except GroupError:
            db.session.rollback()
            flash(
                _("Registration is closed: to change the group, please write to the organisers."), "warning"
            )
        else:
            flash(_("%(name)s's registration is cancelled.", name=member.full_name), "success")
    return redirect(url_for("registration.group_page", token=token))


def _show_error(form: GroupRegistrationForm, error: GroupError) -> None:
    if error.reason is GroupError.Reason.DUPLICATE_EMAIL:
        for row in form.filled_rows():
            if row.email.data in error.emails:
                row.email.errors.append(
                    _("Already registered for this event: they can use the personal link they received.")
                )
    elif error.reason is GroupError.Reason.TOO_MANY:
        form.members.entries[0].form.first_name.errors.append(
            _("At most %(max)d people in one group.", max=form.event.group_max_size)
        )
    else:
        raise error


def _form_page(template: str, event, form: GroupRegistrationForm, **context):
    form.places_left = places_left(event)
    return render_template(template, event=event, form=form, **context)
