"""`flask report build --out DIR`: the report of the day, as the admin downloads it."""

from pathlib import Path

import click
from flask_babel import force_locale

from app.events.cli_options import chosen_event, event_option
from app.reporting.report import build_report, outcomes_csv, report_markdown
from app.reporting.report_pdf import report_pdf


@click.group("report", help="The report of the day.")
def report_cli():
    pass


@report_cli.command("build")
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder to write to.",
)
@click.option("--lang", default="it", show_default=True, type=click.Choice(["it", "en"]))
@event_option
def build_command(out: Path, lang: str, event_slug: str | None):
    """Write report.pdf, report.md and outcomes.csv into OUT (created if missing)."""
    event = chosen_event(event_slug)
    out.mkdir(parents=True, exist_ok=True)
    with force_locale(lang):
        report = build_report(event)
        (out / "report.md").write_text(report_markdown(report), encoding="utf-8")
        (out / "report.pdf").write_bytes(report_pdf(report))
    (out / "outcomes.csv").write_bytes(outcomes_csv(event))
    for name in ("report.pdf", "report.md", "outcomes.csv"):
        click.echo(f"wrote {out / name}")
