"""Command line: `flask event load`, `flask user create|invite`, `flask mail send`,
`flask feedback send`."""

import time

import click
from flask import Flask, current_app
from flask_babel import force_locale

from app.events.bundled import BundledLoad, load_unless_edited
from app.events.event_file import EventFileError
from app.events.services import current_event, load_event_file
from app.extensions import db
from app.mail import sender as mail_sender
from app.models import Role
from app.registration.waiting_lists import fill_vacancies
from app.reporting.cli import report_cli
from app.staff.services import UserError, create_user, invite_user


def init_app(app: Flask) -> None:
    app.cli.add_command(privacy_cli)
    app.cli.add_command(event_cli)
    app.cli.add_command(user_cli)
    app.cli.add_command(mail_cli)
    app.cli.add_command(report_cli)
    app.cli.add_command(feedback_cli)


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
def load_event_command(path, if_unchanged):
    """Create or update the event described in PATH (YAML)."""
    try:
        if if_unchanged:
            outcome, event, before = load_unless_edited(path)
        else:
            outcome, event, before = None, load_event_file(path), None
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


@click.group("user", help="Staff accounts.")
def user_cli():
    pass


@user_cli.command("create")
@click.option("--email", prompt=True)
@click.option("--name", prompt=True)
@click.option(
    "--role", type=click.Choice([r.value for r in Role]), default=Role.ADMIN.value, show_default=True
)
@click.password_option(help="At least 10 characters; prompted for when omitted.")
def create_user_command(email, name, role, password):
    """Create a staff account (the first one is usually an admin)."""
    try:
        user = create_user(email, name, password, role)
    except UserError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Created {user.role} {user.email}")


@user_cli.command("invite")
@click.option("--email", prompt=True)
@click.option("--name", prompt=True)
@click.option(
    "--role", type=click.Choice([r.value for r in Role]), default=Role.DESK.value, show_default=True
)
@click.option("--language", type=click.Choice(["it", "en"]), default="it", show_default=True)
def invite_user_command(email, name, role, language):
    """Invite a staff member by e-mail: they choose their own password (link valid 7 days).

    The e-mail is queued in the outbox: `flask mail send` (or the running sender) delivers it.
    """
    try:
        user = invite_user(email, name, Role(role), language, invited_by="command line")
    except UserError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Invited {user.role} {user.email}: the e-mail is queued")


@click.group("mail", help="The outbox.")
def mail_cli():
    pass


@mail_cli.command("reminders")
@click.option("--send-now", is_flag=True, help="Also deliver them at once.")
def reminders_command(send_now):
    """Queue a reminder for every confirmed attendee who has not had one yet."""
    from app.mail.reminders import queue_reminders

    event = current_event()
    if event is None:
        raise click.ClickException("no event loaded")
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
def feedback_send_command():
    """Queue what is due: the questionnaire, once the day has ended, then the one reminder.
    Idempotent: meant for cron, beside `flask mail send`."""
    from app.results.feedback import FeedbackNotOpen, send_due

    event = current_event()
    if event is None:
        raise click.ClickException("no event loaded")
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
