"""The instance's own staff pages (instance administrators): organiser groups, their
events and organisers, and new events from a file.

One page holds the three forms; each posts to its own address, and a refused form comes
back on the page with what was typed and its errors, the other two empty.
"""

import enum

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.events import organisers
from app.events.copying import load_new_event
from app.events.event_file import EventFileError
from app.events.forms import GroupForm, GroupOrganiserForm, NewEventForm
from app.events.services import events_of_group
from app.events.serving import serving
from app.extensions import db
from app.models import Event, Organiser, Role, User
from app.staff import services as users
from app.staff.roles import instance_admin_required

bp = Blueprint("instance_admin", __name__, url_prefix="/instance")


@bp.before_request
@instance_admin_required
def require_instance_admin():
    """Every page here is for instance administrators only."""


@bp.route("/")
def index():
    return _page()


@bp.post("/groups")
def new_group():
    form = GroupForm()
    if not form.validate_on_submit():
        return _page(group_form=form)
    try:
        group = organisers.create_group(form.group_name.data, form.group_slug.data)
        db.session.commit()
    except IntegrityError:  # the same slug, created a moment ago by another request
        db.session.rollback()
        form.validate()  # again: now the slug is taken, and the form says so
        return _page(group_form=form)
    flash(_("The group %(name)s is created: load its first event below.", name=group.name), "success")
    return redirect(url_for(".index"))


@bp.post("/events")
def new_event():
    form = NewEventForm(organisers.all_groups())
    if not form.validate_on_submit():
        return _page(event_form=form)
    group = db.session.get(Organiser, form.event_group.data)
    upload = form.event_file.data
    try:
        text = upload.read().decode("utf-8-sig")
    except UnicodeDecodeError:
        form.event_file.errors.append(_("The file is not UTF-8 text: save it as UTF-8 and load it again."))
        return _page(event_form=form)
    try:
        event = load_new_event(text, upload.filename or "event.yaml", current_user.email, group)
    except EventFileError as error:
        # str(): a lazy translation counts as safe HTML in Jinja, and these quote the file
        problems = [(line, name, str(message)) for line, name, message in error.problems]
        return _page(event_form=form, problems=problems)
    flash(
        _("%(event)s is loaded in the group %(group)s.", event=event.display_name, group=group.name),
        "success",
    )
    return redirect(url_for(".index"))


@bp.post("/organisers")
def new_organiser():
    form = GroupOrganiserForm(_groups_with_events())
    if not form.validate_on_submit():
        return _page(organiser_form=form)
    event = db.session.get(Event, form.organiser_event.data)
    data = form.organiser_email.data, form.organiser_name.data, form.organiser_language.data
    outcome, user = give_organiser(event, *data, by=current_user.email)
    if outcome in OUTCOME_IS_REFUSAL:
        form.organiser_email.errors.append(str(OUTCOME_MESSAGES[outcome]))
        return _page(organiser_form=form)
    if outcome is not None:
        flash(str(OUTCOME_MESSAGES[outcome]) % {"email": user.email, "event": event.display_name}, "success")
    return redirect(url_for(".index"))


class OrganiserOutcome(enum.Enum):
    INVITED = "invited"
    GIVEN_EVENT = "given_event"  # an account of the event's group: no new invitation
    ALREADY_THERE = "already_there"
    OTHER_GROUP = "other_group"
    INSTANCE_ADMIN = "instance_admin"


OUTCOME_IS_REFUSAL = {OrganiserOutcome.OTHER_GROUP, OrganiserOutcome.INSTANCE_ADMIN}
OUTCOME_MESSAGES = {
    OrganiserOutcome.INVITED: _l(
        "Invitation sent to %(email)s: they choose their own password from the link in the"
        " e-mail, within 7 days."
    ),
    OrganiserOutcome.GIVEN_EVENT: _l(
        "%(email)s has an account of this group already: they now work on %(event)s too,"
        " with their role (no new invitation)."
    ),
    OrganiserOutcome.ALREADY_THERE: _l("%(email)s works on %(event)s already."),
    OrganiserOutcome.OTHER_GROUP: _l(
        "This address has an account of another organiser group: one account works for one group."
    ),
    OrganiserOutcome.INSTANCE_ADMIN: _l(
        "This address is an instance administrator's: they work on every event already."
    ),
}


def give_organiser(
    event: Event, email: str, name: str, language: str, by: str
) -> tuple[OrganiserOutcome | None, User | None]:
    """An organiser for ``event``: a new account of its group, invited by e-mail, or an
    existing account of that group given the event. Accounts of another group, and instance
    administrators, are refused. None: invited a moment ago by another request."""
    existing = users.account_with_email(email)
    if existing is not None and existing.instance_admin:
        return OrganiserOutcome.INSTANCE_ADMIN, existing
    if existing is not None and existing.organiser_id != event.organiser_id:
        return OrganiserOutcome.OTHER_GROUP, existing
    if existing is not None:
        given = users.give_event(existing, event)
        db.session.commit()
        return (OrganiserOutcome.GIVEN_EVENT if given else OrganiserOutcome.ALREADY_THERE), existing
    with serving(event):  # the invitation and its audit entry are the event's
        try:
            return OrganiserOutcome.INVITED, users.invite_user(email, name, Role.ADMIN, language, by, event)
        except users.UserError:
            return None, None


def _groups_with_events() -> list[tuple[Organiser, list[Event]]]:
    return [(group, events_of_group(group)) for group in organisers.all_groups()]


def _accounts_by_group() -> dict[int, list[User]]:
    accounts: dict[int, list[User]] = {}
    query = select(User).filter(User.organiser_id.is_not(None)).order_by(User.name, User.email)
    for user in db.session.scalars(query):
        accounts.setdefault(user.organiser_id, []).append(user)
    return accounts


def _page(group_form=None, event_form=None, organiser_form=None, problems=None):
    """The instance page; the form given keeps what was typed, the others start empty."""
    groups = _groups_with_events()
    return render_template(
        "instance/index.html",
        groups=groups,
        accounts=_accounts_by_group(),
        role_labels=users.ROLE_LABELS,
        group_form=group_form or GroupForm(formdata=None),
        event_form=event_form or NewEventForm([group for group, _events in groups], formdata=None),
        organiser_form=organiser_form or GroupOrganiserForm(groups, formdata=None),
        problems=problems,
    )
