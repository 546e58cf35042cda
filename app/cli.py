"""Command line: `flask event load`, `flask user create|invite`, `flask mail send`,
`flask feedback send`, `flask places check|recount`."""

import time

import click
from flask import Flask, current_app
from flask_babel import force_locale

from app.events import organisers
from app.events.bundled import BundledLoad, load_unless_edited
from app.events.cli_options import chosen_event, event_option
from app.events.event_file import EventFileError
from app.events.services import load_event_file
from app.extensions import db
from app.mail import sender as mail_sender
from app.models import Role
from app.registration.waiting_lists import fill_vacancies
from app.reporting.cli import report_cli
from app.staff.services import UserError, create_user, invite_user


def init_app(app: Flask) -> None:
    app.cli.add_command(privacy_cli)
    app.cli.add_command(event_cli)
    app.cli.add_command(organiser_cli)
    app.cli.add_command(user_cli)
    app.cli.add_command(mail_cli)
    app.cli.add_command(report_cli)
    app.cli.add_command(feedback_cli)
    app.cli.add_command(places_cli)


@click.group("event", help="Events and their data files.")
def event_cli():
    pass


@event_cli.command("load")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--if-unchanged",
    is_flag=True,
    help="Only into a database without the event, or when PATH changed since it was last loaded: "
    "never over a file loaded since (an organiser's edit). `make run` uses it.",
)
@click.option(
    "--organiser",
    "organiser_slug",
    metavar="SLUG",
    help="The organiser group of a new event (`flask organiser create`); default: the only group, "
    "else one named as the file's organiser. An existing event stays in its group.",
)
def load_event_command(path, if_unchanged, organiser_slug):
    """Create or update the event described in PATH (YAML); other events are untouched."""
    group = None
    if organiser_slug:
        group = organisers.group_with_slug(organiser_slug)
        if group is None:
            raise click.ClickException(f"no organiser group {organiser_slug!r}: see `flask organiser list`")
    try:
        if if_unchanged:
            outcome, event, before = load_unless_edited(path, group)
        else:
            outcome, event, before = None, load_event_file(path, group), None
    except EventFileError as error:
        with force_locale("en"):  # the command line speaks English, as the rest of its output
            raise click.ClickException(f"nothing was changed:\n{error}") from None
    if outcome in (BundledLoad.UNCHANGED, BundledLoad.EDITED):
        click.echo(_not_reloaded(outcome, event, before, path))
        return
    if outcome is BundledLoad.CHANGED:
        click.echo(
            f"{path} changed since it was last loaded: it replaces the file loaded by {before.loaded_by} "
            f"on {before.loaded_at:%Y-%m-%d %H:%M} UTC (kept on the admin page's Event file)"
        )
    promoted = fill_vacancies(event)  # a raised capacity lets waiting people in
    click.echo(
        f"Loaded {event.slug}: {len(event.programme)} programme items, "
        f"{len(event.day_parts)} day parts, {len(event.tables)} tables, "
        f"{len(event.organisations)} organisations"
        + (f"; {len(promoted)} people promoted from waiting lists" if promoted else "")
    )


def _not_reloaded(outcome: BundledLoad, event, before, path: str) -> str:
    if outcome is BundledLoad.UNCHANGED:
        return f"Event {event.slug} already loaded from {path}, unchanged: not loaded again"
    return (
        f"Event {event.slug} already loaded and changed since ({before.filename}, loaded by "
        f"{before.loaded_by} on {before.loaded_at:%Y-%m-%d %H:%M} UTC): {path} not reloaded; "
        f"`flask event load {path}` loads it over that"
    )


@click.group("organiser", help="Organiser groups: who runs which events on this instance.")
def organiser_cli():
    pass


@organiser_cli.command("create")
@click.argument("name")
@click.option("--slug", help="Default: made from NAME.")
def create_organiser_command(name, slug):
    """Create an organiser group (a city, a project); load its events with --organiser."""
    if organisers.group_with_slug(slug or organisers.slug_for(name)):
        raise click.ClickException(f"an organiser group {slug or organisers.slug_for(name)!r} exists already")
    group = organisers.create_group(name, slug)
    db.session.commit()
    click.echo(f"Created organiser group {group.slug} ({group.name})")


@organiser_cli.command("list")
def list_organisers_command():
    """The organiser groups and their events."""
    from app.events.services import events_of_group

    for group in organisers.all_groups():
        slugs = ", ".join(event.slug for event in events_of_group(group)) or "no events yet"
        click.echo(f"{group.slug}\t{group.name}\t{slugs}")


@click.group("user", help="Staff accounts.")
def user_cli():
    pass


@user_cli.command("create")
@click.option("--email", prompt=True)
@click.option("--name", prompt=True)
@click.option(
    "--role", type=click.Choice([r.value for r in Role]), default=Role.ADMIN.value, show_default=True
)
@click.option(
    "--event", "event_slugs", metavar="SLUG", multiple=True, help="An event they work on (repeatable)."
)
@click.option(
    "--instance-admin",
    is_flag=True,
    help="Creates organiser groups and events, and works on every event (the first account).",
)
@click.password_option(help="At least 10 characters; prompted for when omitted.")
def create_user_command(email, name, role, event_slugs, instance_admin, password):
    """Create a staff account: the first one is an instance administrator."""
    events = [chosen_event(slug) for slug in event_slugs]
    try:
        user = create_user(email, name, password, role, events=events, instance_admin=instance_admin)
    except UserError as error:
        raise click.ClickException(str(error)) from None
    where = (
        "every event (instance administrator)" if user.instance_admin else ", ".join(e.slug for e in events)
    )
    click.echo(f"Created {user.role} {user.email} for {where}")


@user_cli.command("give")
@click.option("--email", required=True)
@click.option("--event", "event_slug", metavar="SLUG", required=True)
def give_event_command(email, event_slug):
    """Let an existing account work on one more event of its organiser group."""
    from app.staff.services import account_with_email, give_event

    user = account_with_email(email)
    if user is None:
        raise click.ClickException(f"no account {email}")
    event = chosen_event(event_slug)
    try:
        given = give_event(user, event)
    except UserError as error:
        raise click.ClickException(str(error)) from None
    db.session.commit()
    click.echo(f"{user.email} works on {event.slug}" + ("" if given else " already"))


@user_cli.command("invite")
@click.option("--email", prompt=True)
@click.option("--name", prompt=True)
@click.option(
    "--role", type=click.Choice([r.value for r in Role]), default=Role.DESK.value, show_default=True
)
@click.option("--language", type=click.Choice(["it", "en"]), default="it", show_default=True)
@event_option
def invite_user_command(email, name, role, language, event_slug):
    """Invite a staff member by e-mail: they choose their own password (link valid 7 days).

    The e-mail is queued in the outbox: `flask mail send` (or the running sender) delivers it.
    """
    try:
        user = invite_user(email, name, Role(role), language, "command line", chosen_event(event_slug))
    except UserError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Invited {user.role} {user.email}: the e-mail is queued")


@click.group("mail", help="The outbox.")
def mail_cli():
    pass


@mail_cli.command("reminders")
@click.option("--send-now", is_flag=True, help="Also deliver them at once.")
@event_option
def reminders_command(send_now, event_slug):
    """Queue a reminder for every confirmed attendee who has not had one yet."""
    from app.mail.reminders import queue_reminders

    event = chosen_event(event_slug)
    queued = queue_reminders(event)
    click.echo(f"queued={queued}")
    if send_now:
        sent, failed = mail_sender.deliver_due()
        click.echo(f"sent={sent} failed={failed}")


@mail_cli.command("send")
@click.option("--loop", is_flag=True, help="Keep running, sending what is due every few seconds.")
@click.option("--interval", default=2.0, show_default=True, help="Seconds between rounds with --loop.")
def send_mail_command(loop, interval):
    """Deliver queued messages that are due, retrying failures with back-off."""
    while True:
        try:
            sent, failed = mail_sender.deliver_due()
        except Exception:
            if not loop:
                raise
            # The database or the mail server went away mid-round: what the round claimed
            # went back to the queue; the loop waits and tries again instead of ending.
            current_app.logger.exception("mail round failed; trying again in %s s", interval)
            db.session.rollback()
            sent = failed = 0
        if sent or failed or not loop:
            click.echo(f"sent={sent} failed={failed}")
        db.session.remove()
        if not loop:
            return
        time.sleep(interval)


@click.group("feedback", help="The feedback questionnaire after the day.")
def feedback_cli():
    pass


@feedback_cli.command("send")
@event_option
def feedback_send_command(event_slug):
    """Queue what is due: the questionnaire, once the day has ended, then the one reminder.
    Idempotent: meant for cron, beside `flask mail send`."""
    from app.results.feedback import FeedbackNotOpen, send_due

    event = chosen_event(event_slug)
    try:
        sent, reminded = send_due(event)
    except FeedbackNotOpen as refusal:
        # Not an error for cron: it runs again later.
        if refusal.opens_at is None:
            click.echo(f"{event.slug} has no feedback questionnaire: nothing sent")
        else:
            click.echo(
                f"not before the day has ended: from {refusal.opens_at:%Y-%m-%d %H:%M} UTC; nothing sent"
            )
        return
    click.echo(f"questionnaire={sent} reminders={reminded}")


@click.group("privacy", help="Personal data.")
def privacy_cli():
    pass


@privacy_cli.command("purge")
@click.option(
    "--after", "after_days", type=click.IntRange(min=0), required=True, help="Days after the event."
)
def purge_command(after_days):
    """Anonymise attendees of events that ended more than DAYS ago; figures and outcomes stay."""
    from app.registration.privacy import purge

    click.echo(f"anonymised={purge(after_days)}")


@click.group("places", help="The confirmed places the database counts (migration 0016).")
def places_cli():
    pass


@places_cli.command("check")
def places_check_command():
    """List every counter that disagrees with a real COUNT; exit status 1 if any does."""
    from app.registration.places import miscounted_places

    wrong = miscounted_places()
    for what, row_id, counter, real in wrong:
        click.echo(f"{what} {row_id}: counted {counter}, confirmed {real}")
    click.echo(f"miscounted={len(wrong)}")
    if wrong:
        raise SystemExit(1)


@places_cli.command("recount")
@event_option
def places_recount_command(event_slug):
    """Count the event's confirmed places again, under its lock, and correct the counters."""
    from app.registration.places import recount_places

    wrong = recount_places(chosen_event(event_slug))
    for what, row_id, counter, real in wrong:
        click.echo(f"{what} {row_id}: was {counter}, now {real}")
    click.echo(f"corrected={len(wrong)}")
