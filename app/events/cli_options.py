"""The command line's ``--event SLUG``: which event a command works on."""

import click
from sqlalchemy import select

from app.events.services import default_event
from app.extensions import db
from app.models import Event

event_option = click.option(
    "--event",
    "event_slug",
    metavar="SLUG",
    help="The event (its slug); default: EVENT_SLUG, else the event with the latest date.",
)


def chosen_event(slug: str | None) -> Event:
    """The event named, or the default one; a clear error when there is none."""
    if slug:
        event = db.session.execute(select(Event).filter_by(slug=slug)).scalar_one_or_none()
        if event is None:
            raise click.ClickException(f"no event with slug {slug!r}")
        return event
    event = default_event()
    if event is None:
        raise click.ClickException("no event loaded")
    return event
