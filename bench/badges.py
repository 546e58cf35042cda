"""Benchmark: our mail sender against its floor, and badges made per second.

    python bench/badges.py [--db sqlite|postgresql] [--smoke]

badges_per_s: badges (the QR code PNG and the badge PDF, as a confirmation e-mail carries
them) made per second in this process, one after another, after a first badge that loads
the font (about half a second, once per process).

Confirmation messages queued with mailer.enqueue for registered attendees are then sent to
an SMTP server (aiosmtpd, in a subprocess on a free loopback port) twice:
  - plain smtplib: the same MIME messages, built first with mail_sender.build_email
    (not timed), sent over one connection (timed);
  - ours: mail_sender.deliver_due(), timed whole: claim the messages, build each one (QR,
    badge PDF, .ics: made at send time), send it over one connection, record it.
mail_ratio: our messages per second divided by plain smtplib's (the same bytes on the wire).
The floor: plain smtplib's time plus only making each message's QR PNG and badge PDF, as
measured for badges_per_s, with the app's own functions (qrcode with the app's fixed mask,
error correction M; fpdf2): what any sender that makes the badge when it sends it must do.
mail_floor_fraction: our messages per second divided by the floor's, in the same run
(1.0 would mean that claiming, the rest of the MIME message, the .ics and recording cost
nothing).
Last line: mail_floor_fraction=F badges_per_s=B.
"""

import smtplib
import socket
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common  # noqa: E402


def attendees_with_badges(event, count: int, prefix: str) -> list:
    """New confirmed attendees, loaded with what their badge and e-mail read."""
    from sqlalchemy import select
    from sqlalchemy.orm import joinedload, selectinload

    from app.extensions import db
    from app.models import Attendee, AttendeePart

    ids = common.insert_attendees(event, count, prefix)
    query = (
        select(Attendee)
        .where(Attendee.id.in_(ids))
        .options(joinedload(Attendee.event), selectinload(Attendee.parts).joinedload(AttendeePart.day_part))
        .order_by(Attendee.id)
    )
    return list(db.session.scalars(query))


def make_badges(attendees) -> dict:
    from app.checkin.badge_pdf import badge_pdf
    from app.checkin.badges import badge_data_for, badge_token, qr_png

    png = pdf = 0.0
    for attendee in attendees:
        start = time.perf_counter()
        qr_png(badge_token(attendee))
        middle = time.perf_counter()
        badge_pdf(badge_data_for(attendee, attendee.language))
        png, pdf = png + middle - start, pdf + time.perf_counter() - middle
    count = len(attendees)
    return dict(
        badges=count, badges_per_s=count / (png + pdf), png_ms=png / count * 1000, pdf_ms=pdf / count * 1000
    )


class SmtpSink:
    """aiosmtpd accepting and dropping every message, in a subprocess of its own (so that
    it does not share this process's interpreter lock with the sender being measured)."""

    def __enter__(self):
        self.port = common.free_port()
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "aiosmtpd",
                "-n",
                "-l",
                f"127.0.0.1:{self.port}",
                "-c",
                "aiosmtpd.handlers.Sink",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return self
            except OSError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    self.__exit__()
                    raise RuntimeError("aiosmtpd did not start") from None
                time.sleep(0.1)

    def __exit__(self, *exc):
        self.process.terminate()
        self.process.wait(timeout=10)


def send_mail(app, event, count: int) -> dict:
    from sqlalchemy import select

    from app.extensions import db
    from app.mail import outbox as mailer
    from app.mail import sender as mail_sender
    from app.models import MessageStatus, OutboxMessage

    for attendee in attendees_with_badges(event, count, "mail"):
        mailer.enqueue("confirmation", attendee)
    db.session.commit()
    db.session.remove()

    with SmtpSink() as sink:
        app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=sink.port, MAIL_TIMEOUT=30)
        messages = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
        start = time.perf_counter()
        emails = [mail_sender.build_email(message) for message in messages]
        build_s = time.perf_counter() - start
        db.session.rollback()  # nothing changed; ends the read transaction before deliver_due
        # Sent as build_email left them: flattened here for the first time, as in deliver_due
        # (a second flattening is half as dear: the boundaries are chosen by then).
        start = time.perf_counter()
        with smtplib.SMTP("127.0.0.1", sink.port, timeout=30) as smtp:
            for email in emails:
                smtp.send_message(email)
        smtplib_s = time.perf_counter() - start
        size = sum(len(email.as_bytes()) for email in emails)
        db.session.remove()

        start = time.perf_counter()
        sent, failed = mail_sender.deliver_due(limit=count)
        ours_s = time.perf_counter() - start
        db.session.remove()
    recorded = db.session.scalar(
        select(db.func.count()).select_from(OutboxMessage).filter_by(status=MessageStatus.SENT)
    )
    return dict(
        messages=count,
        sent=sent,
        failed=failed,
        recorded_sent=recorded,
        mean_bytes=size // count,
        build_s=build_s,
        smtplib_send_s=smtplib_s,
        ours_s=ours_s,
        smtplib_per_s=count / smtplib_s,
        ours_per_s=count / ours_s,
        mail_ratio=smtplib_s / ours_s,
        build_and_send_ratio=(build_s + smtplib_s) / ours_s,
    )


def main() -> None:
    args = common.arguments(__doc__.splitlines()[0], http=False)
    badge_count, message_count = (10, 20) if args.smoke else (300, 1000)
    with (
        common.workdir("badges") as workdir,
        common.BenchDatabase(args.db, "badges", workdir, pg_url=args.pg_url, others=args.others) as database,
    ):
        app = common.make_app(database)
        with app.app_context():
            from app.extensions import db

            event = common.moca_event()
            first, *others = attendees_with_badges(event, badge_count + 1, "badge")
            make_badges([first])  # loads and subsets the font, once per process
            badges = make_badges(others)
            mail = send_mail(app, event, message_count)
            db.session.remove()
    common.log(
        f"badges: {badges['badges']} in a row, {badges['badges_per_s']:.1f}/s "
        f"(QR PNG {badges['png_ms']:.1f} ms + PDF {badges['pdf_ms']:.1f} ms each)"
    )
    common.log(
        f"mail: {mail['messages']} confirmation messages of {mail['mean_bytes']} bytes on average "
        f"(QR inline, badge PDF, .ics); build_email {mail['build_s']:.2f} s, "
        f"plain smtplib send {mail['smtplib_send_s']:.2f} s ({mail['smtplib_per_s']:.0f}/s), "
        f"our deliver_due {mail['ours_s']:.2f} s ({mail['ours_per_s']:.0f}/s, sent {mail['sent']}, "
        f"failed {mail['failed']}, recorded sent {mail['recorded_sent']})"
    )
    common.log(
        f"mail: ours / smtplib sending the same bytes = {mail['mail_ratio']:.3f}; "
        f"ours / smtplib building and sending = {mail['build_and_send_ratio']:.3f}"
    )
    # What a confirmation carries at least, made at send time, on top of sending it.
    attachments_s = message_count * (badges["png_ms"] + badges["pdf_ms"]) / 1000
    floor_s = mail["smtplib_send_s"] + attachments_s
    mail["floor_per_s"] = message_count / floor_s
    mail["floor_ratio"] = mail["smtplib_send_s"] / floor_s
    mail["mail_floor_fraction"] = mail["ours_per_s"] / mail["floor_per_s"]
    common.log(
        f"mail: floor = smtplib sending, plus making each message's QR PNG and badge PDF: "
        f"{mail['floor_per_s']:.0f}/s, {mail['floor_ratio']:.3f} of smtplib sending"
    )
    common.log(f"mail: ours / floor = {mail['mail_floor_fraction']:.3f}")
    valid = mail["sent"] == mail["recorded_sent"] == message_count and not mail["failed"]
    common.finish(
        args,
        {"name": "badges", "badges": badges, "mail": mail},
        common.headline(mail_floor_fraction=mail["mail_floor_fraction"], badges_per_s=badges["badges_per_s"]),
        valid,
    )


if __name__ == "__main__":
    main()
