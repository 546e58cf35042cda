"""Certificates of attendance: a PDF for everyone who was checked in at a desk.

Social and third-sector workers ask for one to record training hours; the organisers
would otherwise write them by hand. It says only what the app knows: the attendee was
checked in (and when), the parts of the day they had a place for, and the world café
table where a facilitator marked them present. Where the event scans the exit
(app/checkin/points.py) and the person was scanned leaving, it states the hours present,
from the door's check-in to the exit's scan.

Each certificate carries a link that anyone it is shown to (an employer, a training body)
can open to check it: the link names the check-in, signed with the app's secret, and the
page says whether that check-in still stands and whose it is.
"""

import enum
import unicodedata
from dataclasses import dataclass

from flask import current_app
from flask_babel import force_locale, format_date
from flask_babel import gettext as _
from fpdf import FPDF
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select

from app.checkin.services import local_time
from app.core.fonts import add_fonts, pdf_bytes
from app.extensions import db
from app.models import (
    Attendee,
    CafeTable,
    CheckIn,
    PartStatus,
    PointKind,
    PointScan,
    TableAttendance,
    localized,
)
from app.registration.privacy import is_anonymised

FAMILY = "DejaVu"
ACCENT = (11, 92, 173)


@dataclass(frozen=True)
class Certificate:
    name: str
    organisation: str | None
    event_name: str
    date_text: str
    venue: str
    organiser: str | None
    parts: list[str]
    tables: list[str]
    checked_in_at: str  # local time, HH:MM
    locale: str
    check_url: str | None = None  # where to check that it is genuine
    left_at: str | None = None  # local time of the exit scan, HH:MM, when there is one
    minutes_present: int | None = None  # from the check-in to the exit scan


def check_in_in_force(attendee: Attendee) -> CheckIn | None:
    return db.session.scalars(
        select(CheckIn).where(CheckIn.attendee_id == attendee.id, CheckIn.undone_at.is_(None))
    ).first()


def exit_scan_after(check_in: CheckIn) -> PointScan | None:
    """The attendee's exit scan in force, if it came after their check-in at the door."""
    scan = db.session.scalars(
        select(PointScan).where(
            PointScan.attendee_id == check_in.attendee_id,
            PointScan.kind == PointKind.EXIT,
            PointScan.undone_at.is_(None),
        )
    ).first()
    return scan if scan is not None and scan.scanned_at > check_in.checked_in_at else None


def certificate_for(attendee: Attendee, locale: str, check_url=None) -> Certificate | None:
    """What the certificate says, in that language; None if they were not checked in.
    check_url: makes the checking link from the certificate's code (see certificate_code)."""
    check_in = check_in_in_force(attendee)
    if check_in is None:
        return None
    event = attendee.event
    left = exit_scan_after(check_in)
    present_at = select(TableAttendance.cafe_table_id).where(
        TableAttendance.attendee_id == attendee.id, TableAttendance.present.is_(True)
    )  # a subquery, not DISTINCT: PostgreSQL cannot compare the tables' JSON names
    tables = db.session.scalars(
        select(CafeTable).where(CafeTable.id.in_(present_at)).order_by(CafeTable.position)
    ).all()
    with force_locale(locale):
        return Certificate(
            name=attendee.full_name,
            organisation=attendee.organisation_name,
            event_name=localized(event.name, locale),
            date_text=format_date(event.date, "long"),
            venue=", ".join(filter(None, [event.venue_name, event.venue_address])),
            organiser=event.organiser,
            parts=[
                localized(part.day_part.name, locale)
                for part in sorted(attendee.parts, key=lambda p: p.day_part.position)
                if part.status == PartStatus.CONFIRMED
            ],
            tables=[localized(table.name, locale) for table in tables],
            checked_in_at=local_time(event, check_in.checked_in_at),
            locale=locale,
            check_url=check_url(certificate_code(check_in)) if check_url else None,
            left_at=local_time(event, left.scanned_at) if left else None,
            minutes_present=(left.scanned_at - check_in.checked_in_at).seconds // 60 if left else None,
        )


# ---- Checking a certificate -----------------------------------------------------------------


class CertificateCheck(enum.Enum):
    VALID = "valid"
    WITHDRAWN = "withdrawn"  # the check-in was undone after the certificate was made
    ANONYMISED = "anonymised"  # the attendee's personal data has since been deleted


@dataclass(frozen=True)
class CheckedCertificate:
    check: CertificateCheck
    check_in: CheckIn
    attendee: Attendee


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="certificate")


def certificate_code(check_in: CheckIn) -> str:
    return _serializer().dumps(check_in.id)


def check_certificate(code: str) -> CheckedCertificate | None:
    """What a certificate's code stands for; None for a code this app never made."""
    try:
        check_in_id = _serializer().loads(code)
    except BadSignature:
        return None
    check_in = db.session.get(CheckIn, check_in_id) if isinstance(check_in_id, int) else None
    if check_in is None:
        return None
    attendee = check_in.attendee
    if is_anonymised(attendee):  # no name left to confirm
        check = CertificateCheck.ANONYMISED
    elif check_in.undone_at is not None:
        check = CertificateCheck.WITHDRAWN
    else:
        check = CertificateCheck.VALID
    return CheckedCertificate(check, check_in, attendee)


def certificate_pdf(certificate: Certificate) -> bytes:
    """One A4 page, portrait, set in DejaVu Sans (every accent, Greek, Cyrillic)."""
    pdf = _blank_certificate()
    with force_locale(certificate.locale):
        pdf.set_title(_("Certificate of attendance") + f": {_clean(certificate.name)}")
        pdf.add_page()
        pdf.set_draw_color(*ACCENT)
        pdf.set_line_width(0.8)
        pdf.rect(12, 12, 186, 273)
        pdf.set_y(45)
        _who_took_part(pdf, certificate)
        for detail in _details(certificate):
            _line(pdf, detail, 11, after=3)
        if certificate.organiser:
            pdf.set_y(225)
            _line(pdf, certificate.organiser, 12, "B", after=2)
            _line(pdf, certificate.date_text, 11)
        if certificate.check_url:
            pdf.set_y(255)
            _line(pdf, _("To check that this certificate is genuine, open:"), 8, colour=(80, 80, 80), after=1)
            _line(pdf, certificate.check_url, 8, colour=(80, 80, 80))
    return pdf_bytes(pdf)


def _blank_certificate() -> FPDF:
    pdf = FPDF(unit="mm", format="A4")
    add_fonts(pdf)  # DejaVu Sans, and Noto for the names in other scripts
    pdf.set_creator("Noi Day")
    pdf.set_margins(25, 25, 25)
    pdf.set_auto_page_break(True, margin=25)
    return pdf


def _who_took_part(pdf: FPDF, certificate: Certificate) -> None:
    """The title, then who took part in which event, when and where."""
    _line(pdf, _("Certificate of attendance"), 24, "B", ACCENT, after=18)
    _line(pdf, _("This is to certify that"), 13, after=8)
    _line(pdf, certificate.name, 22, "B", after=4)
    if certificate.organisation:
        _line(pdf, certificate.organisation, 13, after=4)
    pdf.ln(8)
    _line(pdf, _("took part in"), 13, after=8)
    _line(pdf, certificate.event_name, 18, "B", after=4)
    _line(pdf, f"{certificate.date_text} · {certificate.venue}", 12, after=14)


def _details(certificate: Certificate) -> list[str]:
    """What the app knows of their day: the check-in, the parts, the tables."""
    if certificate.left_at is not None:
        hours, minutes = divmod(certificate.minutes_present, 60)
        details = [
            _(
                "Present from %(start)s to %(end)s: %(hours)d h %(minutes)02d min.",
                start=certificate.checked_in_at,
                end=certificate.left_at,
                hours=hours,
                minutes=minutes,
            )
        ]
    else:
        details = [_("Checked in at the desk at %(time)s.", time=certificate.checked_in_at)]
    if certificate.parts:
        details.append(_("Registered for: %(parts)s.", parts="; ".join(certificate.parts)))
    if certificate.tables:
        details.append(_("World café table: %(tables)s.", tables="; ".join(certificate.tables)))
    return details


def _line(pdf: FPDF, text: str, size: float, style: str = "", colour=(26, 26, 26), after: float = 0) -> None:
    """A centred paragraph, wrapped to the page's width."""
    pdf.set_font(FAMILY, style, size)
    pdf.set_text_color(*colour)
    pdf.multi_cell(0, size * 0.5, _clean(text), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(after)


def _clean(text: str) -> str:
    """One line of composed characters: "Lu" + combining grave becomes "Lù"."""
    return " ".join(unicodedata.normalize("NFC", text or "").split())
