"""The commitments' Atom feed: one entry per change of a published commitment, newest first,
so that citizens and the press can follow their progress.

Every address in it comes from PUBLIC_URL (app/core/urls.py), never from the request's Host;
entry ids are tag: URIs (RFC 4151) that stay the same however often the feed is read. No
staff name or e-mail goes in: an update's author is left out.
"""

import re
from datetime import UTC
from urllib.parse import urlsplit

from feedgen.feed import FeedGenerator
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from app.core.urls import external_url
from app.models import CommitmentStatus, CommitmentUpdate, Event, localized
from app.results.commitments import STATUS_LABELS, feed_updates
from app.results.names import NameGuard

TITLE_START_CHARS = 80
# Characters XML 1.0 cannot carry at all (lxml refuses them): dropped from the feed only.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml_text(value: str) -> str:
    return _NOT_XML.sub("", value or "")


def _tag(event: Event, specific: str) -> str:
    """tag:<PUBLIC_URL's host>,<the event's date>:<event slug>/<specific>"""
    host = urlsplit(current_app.config["PUBLIC_URL"]).hostname or "localhost"
    return f"tag:{host},{event.date.isoformat()}:{event.slug}/{specific}"


def _text_start(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= TITLE_START_CHARS else text[: TITLE_START_CHARS - 1].rstrip() + "…"


def feed_xml(event: Event, lang: str) -> bytes:
    """The Atom document, in ``lang`` (one of the event's languages)."""
    with force_locale(lang):
        feed = FeedGenerator()
        feed.id(_tag(event, "commitments"))
        feed.title(_xml_text(_("Commitments of %(event)s", event=localized(event.name, lang))))
        feed.subtitle(_("What the tables took on, and how far each commitment has come."))
        feed.language(lang)
        feed.author({"name": _xml_text(event.organiser or localized(event.name, lang))})
        feed.link(href=external_url("commitments.feed", lang=lang), rel="self", type="application/atom+xml")
        feed.link(href=external_url("commitments.commitments_page"), rel="alternate", type="text/html")
        updates = feed_updates(event)
        guard = NameGuard.of_event(event)
        for update in updates:
            _add_entry(feed, event, update, lang, guard.blanked)
        # Not the time of reading (feedgen's default): the feed changes when a commitment does.
        feed.updated((updates[0].changed_at if updates else event.updated_at).replace(tzinfo=UTC))
        return feed.atom_str(pretty=True)


def _add_entry(feed: FeedGenerator, event: Event, update: CommitmentUpdate, lang: str, blank) -> None:
    """blank: names of people who did not agree to be named are blanked out of every text."""
    commitment = update.commitment
    label = STATUS_LABELS[CommitmentStatus(update.status)]
    entry = feed.add_entry(order="append")
    entry.id(_tag(event, f"commitments/{commitment.id}/updates/{update.id}"))
    entry.title(_xml_text(f"{label}: {_text_start(blank(localized(commitment.text, lang)))}"))
    entry.updated(update.changed_at.replace(tzinfo=UTC))
    entry.published(update.changed_at.replace(tzinfo=UTC))
    anchor = f"commitment-{commitment.id}"
    entry.link(href=external_url("commitments.commitments_page", _anchor=anchor), rel="alternate")
    note = blank(localized(update.public_note, lang))
    summary = _(
        "%(text)s — taken on by %(owner)s.",
        text=blank(localized(commitment.text, lang)),
        owner=blank(commitment.owner_name),
    )
    entry.content(_xml_text(note or summary), type="text")
