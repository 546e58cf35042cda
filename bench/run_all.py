"""Run every benchmark in bench/ and write bench/RESULTS.md (`make bench`).

    python bench/run_all.py            # the full runs, about 15 minutes
    python bench/run_all.py --smoke    # every script's smoke run, into bench/out/RESULTS-smoke.md

The HTTP benchmarks (public page, registration, check-in) and badges/mail run on SQLite
and on PostgreSQL; bench/assignment.py (no database) runs once, when it is there. Each
script's whole output is kept in bench/out/<name>-<db>.log and its figures in
bench/out/<name>-<db>.json. A script that fails, or reports an invalid run (errors, lost
registrations), is shown as such in the table; the others still run.

Adding an endpoint: write bench/<name>.py printing its headline last and taking --db,
--smoke and --report (see bench/common.py and bench/public_page.py), then add a function
below and list it in ENDPOINTS.
"""

import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common  # noqa: E402

BENCH = common.ROOT / "bench"
OUT = BENCH / "out"
DATABASES = ("sqlite", "postgresql")


def run_script(name: str, options: list[str], smoke: bool, db: str | None = None) -> dict:
    """Run bench/<name>.py; its report (or the failure), its log and its last line."""
    label = f"{name}-{db}" if db else name
    report_path, log_path = OUT / f"{label}.json", OUT / f"{label}.log"
    report_path.unlink(missing_ok=True)
    command = [sys.executable, str(BENCH / f"{name}.py"), *options, *(["--smoke"] if smoke else [])]
    if db:
        command += ["--db", db, "--report", str(report_path)]
    print(f"== {' '.join(command[1:])}", flush=True)
    done = subprocess.run(command, cwd=common.ROOT, capture_output=True, text=True)
    log_path.write_text(done.stdout + ("\n--- stderr\n" + done.stderr if done.stderr else ""))
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    headline = lines[-1] if lines else ""
    print(headline or done.stderr[-2000:], flush=True)
    report = json.loads(report_path.read_text()) if report_path.exists() else {}
    report.update(name=name, db=db, returncode=done.returncode, headline=headline, log=str(log_path))
    if done.returncode != 0 and not report.get("rows"):
        report["failure"] = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["no output"]
    return report


# --- one function per endpoint: each returns its reports (one per database) --------------


def public_page(smoke: bool) -> list[dict]:
    return [run_script("public_page", [], smoke, db) for db in DATABASES]


def registration(smoke: bool) -> list[dict]:
    return [run_script("registration", [], smoke, db) for db in DATABASES]


def checkin(smoke: bool) -> list[dict]:
    return [run_script("checkin", [], smoke, db) for db in DATABASES]


def facilitators_note_save(smoke: bool) -> list[dict]:
    """Runs bench/facilitators.py (same options as the others) once it exists."""
    if (BENCH / "facilitators.py").exists():
        return [run_script("facilitators", [], smoke, db) for db in DATABASES]
    if (common.ROOT / "app" / "facilitators").exists():
        status = "built (app/facilitation), no benchmark yet: bench/facilitators.py"
    else:
        status = "not built yet"
    return [{"name": "facilitators", "db": "-", "placeholder": "facilitators' note save", "status": status}]


def badges(smoke: bool) -> list[dict]:
    return [run_script("badges", [], smoke, db) for db in DATABASES]


def assignment(smoke: bool) -> list[dict]:
    """Another engineer's benchmark (the world café assignment, no database)."""
    if not (BENCH / "assignment.py").exists():
        return []
    return [run_script("assignment", [], smoke)]


def arrivals(smoke: bool) -> list[dict]:
    return [run_script("arrivals", [], smoke, db) for db in DATABASES]


def many_events(smoke: bool) -> list[dict]:
    """The MO.CA day's requests alone, then beside 49 other events and 100,000 attendees."""
    return [run_script("many_events", [], smoke, db) for db in DATABASES]


def scale(smoke: bool) -> list[dict]:
    """The MO.CA day's requests at 400, 3,000 and 30,000 attendees, beside 49 other events."""
    return [run_script("scale", [], smoke, db) for db in DATABASES]


def desk_browser(smoke: bool) -> list[dict]:
    """The desk page in headless Chromium beside nine API desks: scanner, camera, loads."""
    return [run_script("desk_browser", [], smoke, db) for db in DATABASES]


ENDPOINTS = [public_page, registration, checkin, facilitators_note_save, arrivals]
OTHERS = [badges, assignment, many_events, desk_browser, scale]


# --- RESULTS.md ---------------------------------------------------------------------------


def machine() -> dict:
    cpu = "unknown"
    with open("/proc/cpuinfo") as cpuinfo:
        for line in cpuinfo:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    wrk = subprocess.run(["wrk", "--version"], capture_output=True, text=True)
    gunicorn = subprocess.run([sys.executable, "-m", "gunicorn", "--version"], capture_output=True, text=True)
    return dict(
        nproc=os.cpu_count(),
        cpu=cpu,
        python=platform.python_version(),
        wrk=(wrk.stdout or wrk.stderr).splitlines()[0].split(" [")[0],
        gunicorn=gunicorn.stdout.strip(),
    )


def load_average() -> str:
    return ", ".join(Path("/proc/loadavg").read_text().split()[:3])


def _number(value, digits: int = 1) -> str:
    return "–" if value is None else f"{value:,.{digits}f}"


def endpoint_rows(reports: list[dict]) -> list[str]:
    lines = []
    for report in reports:
        if "placeholder" in report:
            lines.append(f"| {report['placeholder']} | – | {report['status']} | | | | | |")
            continue
        if not report.get("rows"):
            failure = " ".join(report.get("failure", ["failed"]))[:200]
            lines.append(
                f"| {report['name']} | {report['db']} | FAILED: {failure} (see {report['log']}) | | | | | |"
            )
            continue
        for row in report["rows"]:
            invalid = "" if report.get("valid", True) else " **INVALID RUN**"
            figures = [_number(row[key]) for key in ("rps", "p50_ms", "p99_ms", "bare_rps")]
            spread = ", ".join(f"{r:.3f}" for r in row["round_ratios"])
            lines.append(
                f"| {row['endpoint']}{invalid} | {row['db']} | {' | '.join(figures)} | "
                f"**{row['ratio']:.3f}** | {spread} |"
            )
    return lines


def mail_rows(reports: list[dict]) -> list[str]:
    lines = []
    for report in reports:
        if "badges" not in report:
            lines.append(f"| {report['db']} | FAILED (see {report['log']}) | | | | | | | |")
            continue
        badge, mail = report["badges"], report["mail"]
        lines.append(
            f"| {report['db']} | {badge['badges_per_s']:.1f} | "
            f"{badge['png_ms']:.1f} + {badge['pdf_ms']:.1f} | "
            f"{mail['messages']} × {mail['mean_bytes']:,} B | {mail['smtplib_per_s']:.0f} | "
            f"{mail['ours_per_s']:.1f} | {mail['mail_ratio']:.3f} | {mail.get('floor_per_s', 0):.0f} | "
            f"**{mail.get('mail_floor_fraction', 0):.3f}** |"
        )
    return lines


def _row_ratios(reports: list[dict], name: str, index: int) -> list[str]:
    """ "db: ratio" of a script's table row number `index` (1: its floor, 2: its floor as the
    issues ask), for each database that has that row."""
    figures = []
    for db in DATABASES:
        report = next((r for r in reports if r.get("name") == name and r.get("db") == db), {})
        rows = report.get("rows") or []
        if len(rows) > index:
            figures.append(f"{db}: {rows[index]['ratio']:.3g}")
    return figures


# Issue 20's aims: each endpoint against its floor, measured in the same run.
FLOOR_AIMS = (
    ("checkin", "check-in", 0.5),
    ("registration", "registration", 0.35),
    ("badges", "mail", 0.8),
    ("facilitators", "the facilitators' note save", 0.5),
    ("arrivals", "the arrivals list", 0.5),
)
# The row of each script's table that is its floor (the others: 0 ours, 1 a one-row write).
FLOOR_ROW = {"checkin": 2, "registration": 2, "facilitators": 1, "arrivals": 1}


def floor_fraction(reports: list[dict], name: str, db: str) -> float | None:
    """Ours over the floor, same run: the script's own figure, else from its table's rows."""
    report = next((r for r in reports if r.get("name") == name and r.get("db") == db), {})
    rows = report.get("rows") or []
    for figures in (report, rows[0] if rows else {}):
        if figures.get("floor_fraction") is not None:
            return figures["floor_fraction"]
    mail = report.get("mail", {})
    if name == "badges" and mail.get("mail_floor_fraction") is not None:
        return mail["mail_floor_fraction"]
    if name in FLOOR_ROW and len(rows) > FLOOR_ROW[name] and rows[FLOOR_ROW[name]]["rps"]:
        return rows[0]["rps"] / rows[FLOOR_ROW[name]]["rps"]
    return None


def aims(reports: list[dict]) -> list[str]:
    """The issues' aims, against this run's figures."""

    checks = [
        (
            f"{what} at least {target} of its floor (ours / the bare app doing the required database work)",
            [(db, floor_fraction(reports, name, db), target) for db in DATABASES],
        )
        for name, what, target in FLOOR_AIMS
    ]
    lines = []
    for aim, results in checks:
        parts = []
        for db, value, target in results:
            if value is None:
                parts.append(f"{db}: no figure")
            else:
                parts.append(f"{db}: {value:,.3g} ({'met' if value >= target else 'missed'})")
        lines.append(f"- {aim}: " + "; ".join(parts))
    mail_floors = [
        f"{db}: {report['mail']['floor_ratio']:.3g}"
        for db in DATABASES
        for report in reports
        if report.get("name") == "badges"
        and report.get("db") == db
        and "floor_ratio" in report.get("mail", {})
    ]
    if mail_floors:
        lines.append(
            "- the floor of the mail ratio, plain smtplib plus only making each message's QR PNG and "
            "badge PDF: " + "; ".join(mail_floors) + ". A ratio above it is out of reach for any sender "
            "that makes the badge when it sends the confirmation."
        )
    for name, what, records in (
        ("checkin", "check-in", "records the scan"),
        ("registration", "registration", "keeps the person"),
    ):
        floors = _row_ratios(reports, name, 1)
        if floors:
            lines.append(
                f"- the floor of the {what} ratio, the bare app writing one row a request (no ORM, no "
                "read, no lock): " + "; ".join(floors) + f". A ratio above it is out of reach for any "
                f"{what} that {records} durably under this server."
            )
    required_floors = (
        (
            "registration",
            "a registration as the issues ask for it, the bare app taking a place under the capacity "
            "(one of 64 counters) and writing the person and their message in one transaction",
            "registration",
            "enforces capacities and queues its e-mail in the same transaction",
        ),
        (
            "checkin",
            "a check-in as the issue asks for it, the bare app locking and reading the attendee's row "
            "and writing the scan in one transaction",
            "check-in",
            "locks the attendee and records the scan",
        ),
    )
    for name, what, ratio_name, does in required_floors:
        figures = _row_ratios(reports, name, 2)
        if figures:
            lines.append(
                f"- the floor of {what}, with the driver alone: " + "; ".join(figures) + f". A "
                f"{ratio_name} ratio above it is out of reach for any {ratio_name} that {does} under "
                "this server."
            )
    stack = _row_ratios(reports, "registration", 3)  # bench/stack_app.py against the required floor
    if stack:
        lines.append(
            "- the required stack alone (Flask, a Flask-WTF form with CSRF, the session, the "
            "Flask-SQLAlchemy ORM) doing the required floor's work, against that floor: "
            + "; ".join(stack)
            + ". A registration ratio above it is out of reach for any registration built on them."
        )
    return lines


BARE_ENDPOINTS = """\
Bare endpoints (bench/bare_app.py, same server, same wrk script): GET /html (a small template)
for the programme page, POST /form (parses the same urlencoded body, redirects) for
registration, POST /json (parses the same JSON body, answers JSON) for the check-in API and
the facilitators' note save."""

HOW_TO_READ = """\
## How to read this

- **ratio** is our requests per second divided by the bare Flask endpoint's, served by the
  same gunicorn settings and loaded by the same wrk script in the same run. It says how much
  of the server's capacity the endpoint's own work (database, templates, forms, locks)
  takes, and compares across machines far better than req/s does. Throughput is the mean of
  the rounds, p50/p99 the median of the rounds' values; **ratio per round** shows the spread.
- The machine may be shared: other work running meanwhile lowers both apps' figures, and the
  alternating rounds spread it over both. Look at the load averages above; rerun when high.
- Registration: the real form POST (CSRF token, and the session cookie of a GET /register),
  a new e-mail each time; every answer must be a 302, and the database must hold one
  attendee per 302 afterwards (plus at most the requests in progress when a run stopped).
  Capacities are enforced (the event's row lock and the counts run on every registration)
  but raised to 1,000,000 for the day and each day part, in a copy of the event file
  without its registration window: the run measures registrations, not waiting lists. Each
  visitor has an address of its own (X-Forwarded-For, PROXY_COUNT=1), as on the day, so the
  per-address rate limit does not refuse the load.
- Check-in: every scan of a full run is a first check-in (enough attendees are created), a
  write; the load comes from 256 desk devices, so the per-desk rate limit (600 a minute)
  is not reached.
- Mail ratio: plain smtplib sends the very same MIME messages (built beforehand, not timed)
  over one connection; ours is `deliver_due()` whole: claim, build (the QR code, badge PDF
  and .ics are made at send time), send over one connection, record. The floor is smtplib's
  time plus only making each message's QR PNG and badge PDF (the app's own functions): no
  sender that makes the badge at send time can beat it; the last column is ours against it.
- Full logs and every figure: bench/out/*.log and *.json (not committed)."""


def many_events_rows(reports: list[dict]) -> list[str]:
    rows = []
    for report in reports:
        if not report.get("growth"):
            rows.append(f"| {report.get('db')} | (no figures: {report.get('failure') or 'failed'}) | | | |")
            continue
        for name, growth in report["growth"].items():
            alone, beside = report["median_ms_alone"][name], report["median_ms_beside_others"][name]
            rows.append(f"| {report['db']} | {name} | {alone:.2f} | {beside:.2f} | {growth:.2f} |")
    return rows


DESK_MEASURES = {
    "scanner_enter_to_green": "scanner: Enter to green painted",
    "scanner_api_call": "scanner: its scan API call",
    "camera_first_frame_to_green": "camera: first frame holding the badge to green painted",
    "camera_start_to_green": "camera: start to the first green (QR decoder loading included)",
    "cold_load": "cold first load (empty cache): navigation to the desk ready, painted",
    "warm_load": "warm load (cache and service worker in place)",
    "api_desks": "the nine API desks' scans (seen from their client)",
}


def desk_rows(reports: list[dict]) -> list[str]:
    lines = []
    for report in reports:
        if not report.get("rows"):
            lines.append(f"| {report.get('db')} | FAILED (see {report.get('log')}) | | | |")
            continue
        invalid = "" if report.get("valid", True) else " **INVALID RUN**"
        for row in report["rows"]:
            what = DESK_MEASURES.get(row["measure"], row["measure"])
            lines.append(
                f"| {report['db']} | {what}{invalid} | {row['p50_ms']:.1f} | {row['p95_ms']:.1f} "
                f"| {row['samples']} |"
            )
    return lines


def desk_aims(reports: list[dict]) -> list[str]:
    """Issue 20's aims for the desk as a person feels it, against this run's figures."""

    def figure(db: str, measure: str, key: str):
        for report in reports:
            if report.get("name") == "desk_browser" and report.get("db") == db:
                for row in report.get("rows") or []:
                    if row["measure"] == measure:
                        return row[key]
        return None

    checks = [
        (
            "scanner Enter to green, p95 < 100 ms with the other desks busy",
            "scanner_enter_to_green",
            "p95_ms",
            100,
        ),
        ("camera first frame to green, p95 < 150 ms", "camera_first_frame_to_green", "p95_ms", 150),
        ("cold first load, p50 < 250 ms", "cold_load", "p50_ms", 250),
    ]
    lines = []
    for aim, measure, key, limit in checks:
        parts = []
        for db in DATABASES:
            value = figure(db, measure, key)
            parts.append(
                f"{db}: no figure"
                if value is None
                else f"{db}: {value:.0f} ms ({'met' if value < limit else 'missed'})"
            )
        lines.append(f"- {aim}: " + "; ".join(parts))
    return lines


SCALE_ROWS = {
    "registration": "registration (ms)",
    "scan": "scan (ms)",
    "arrivals": "arrivals list (ms)",
    "attendee_list": "attendee list, first page (ms)",
    "search": "attendee search (ms)",
    "csv": "attendee CSV (ms)",
    "csv_peak_mb": "attendee CSV, peak memory (MB)",
    "report": "report of the day, Markdown (ms)",
    "report_peak_mb": "report, peak memory (MB)",
    "assignment_s": "assignment run and publication (s)",
}


def _figure(value: float) -> str:
    """Four significant figures, whole numbers from 1,000 up."""
    return f"{value:,.0f}" if value >= 1000 else f"{value:.4g}"


def scale_rows(reports: list[dict]) -> list[str]:
    """One table per database: each measure at each size, and its growth (largest / smallest)."""
    lines = []
    for report in reports:
        if not report.get("growth"):
            lines += [f"- {report.get('db')}: no figures ({report.get('failure') or 'failed'})", ""]
            continue
        sizes = [str(size) for size in report["sizes"]]
        lines += [
            f"{report['db']}:",
            "",
            "| measure | " + " | ".join(f"{int(size):,}" for size in sizes) + " | growth |",
            "|---|" + "---:|" * (len(sizes) + 1),
        ]
        for key, label in SCALE_ROWS.items():
            cells = " | ".join(_figure(report["figures"][size][key]) for size in sizes)
            growth = report["growth"].get(key) or report["growth"].get(key.removesuffix("_s") + "_per_person")
            lines.append(f"| {label} | {cells} | {'' if growth is None else f'{growth:.2f}'} |")
        growth = ", ".join(f"{name} ×{value:.2f}" for name, value in report["growth"].items())
        lines += ["", f"Growth ({int(sizes[-1]):,} / {int(sizes[0]):,}): {growth}", ""]
    return lines


def write_results(path: Path, reports: list[dict], info: dict, smoke: bool) -> None:
    endpoint_names = {"public_page", "registration", "checkin", "facilitators", "arrivals"}
    endpoint_reports = [r for r in reports if r.get("name") in endpoint_names]
    badge_reports = [r for r in reports if r.get("name") == "badges"]
    gunicorn = common.GUNICORN_SETTINGS
    first = next((r for r in endpoint_reports if r.get("seconds")), {})
    warmup = f"a {first['warmup']}-second warm-up of each app, then " if first.get("warmup") else ""
    title = "# Benchmark results"
    if smoke:
        title += " (smoke run: tiny data, 1-second runs; not figures to quote)"
    headlines = []
    for report in reports:
        name = report["name"] + (f" --db {report['db']}" if report.get("db") not in (None, "-") else "")
        headlines.append(f"{name}: {report.get('headline') or report.get('status', 'no output')}")
    lines = [
        title,
        "",
        "Written by `make bench` (`python bench/run_all.py`); do not edit by hand.",
        "",
        f"- Date: {info['started']} to {info['finished']} (UTC)",
        f"- Machine: {info['nproc']} cores, {info['cpu']}; Python {info['python']}",
        f"- Load average (1, 5, 15 min): {info['load_before']} before, {info['load_after']} after",
        f"- Server: {info['gunicorn']}, the same for our app and the bare app: "
        f"{gunicorn['workers']} workers × {gunicorn['threads']} threads ({gunicorn['worker_class']}), "
        "no access log (bench/common.py says why)",
        f"- Load: {info['wrk']}, `-t{common.WRK_THREADS} -c{common.CONNECTIONS} --latency "
        f"--timeout {common.WRK_TIMEOUT}`; per endpoint and database {warmup}"
        f"{first.get('rounds', '?')} round(s) of {first.get('seconds', '?')} seconds, bare app and ours "
        "in turn",
        "- Our app: `NOIDAY_CONFIG=production`, e-mail queued in the outbox (no sender runs meanwhile), "
        "rate limits on (Redis), a fresh database per script (`flask db upgrade`, MO.CA event loaded)",
        "",
        "## Endpoints at 32 concurrent clients",
        "",
        "| endpoint | db | req/s | p50 ms | p99 ms | bare req/s | ratio | ratio per round |",
        "|---|---|---:|---:|---:|---:|---:|---|",
        *endpoint_rows(endpoint_reports),
        "",
        BARE_ENDPOINTS,
        "",
        "## Badges and confirmation e-mail (in one process, no HTTP)",
        "",
        "| db | badges/s | ms per badge (QR PNG + PDF) | messages | smtplib msg/s (same bytes) "
        "| ours msg/s | ours / smtplib | floor msg/s (smtplib + QR PNG + PDF) | ours / floor |",
        "|---|---:|---:|---|---:|---:|---:|---:|---:|",
        *mail_rows(badge_reports),
        "",
        "## One event beside others (in one process, one request at a time: bench/many_events.py)",
        "",
        "Median ms of the MO.CA day's requests alone, then with 49 other events and their "
        "100,000 attendees loaded, in the same run; growth 1.0 is as fast as alone.",
        "",
        "| db | request | alone ms | beside others ms | growth |",
        "|---|---|---:|---:|---:|",
        *many_events_rows([r for r in reports if r.get("name") == "many_events"]),
        "",
        "## The desk as a person feels it (headless Chromium: bench/desk_browser.py)",
        "",
        "One desk page in Chromium (the scanner typing badges as a keyboard wedge does, then the "
        "fake camera filming badges) while nine other desk devices scan through the API, one scan "
        "every 2 seconds each; each badge a first check-in. Times in ms, measured in the page.",
        "",
        "| db | measure | p50 ms | p95 ms | samples |",
        "|---|---|---:|---:|---:|",
        *desk_rows([r for r in reports if r.get("name") == "desk_browser"]),
        "",
        "## One event as it grows (in one process, one request at a time: bench/scale.py)",
        "",
        "Median of each request of the MO.CA day at 400, 3,000 and 30,000 attendees, beside 49 other "
        "events and their 98,000 attendees, in the same run; growth is the median at the largest size "
        "over the smallest (1.0: flat; the aim is at most 1.5 per request). The CSV and the report grow "
        "with the event by nature: their peak memory (tracemalloc) is what must stay bounded. The "
        "assignment's growth is per person.",
        "",
        *scale_rows([r for r in reports if r.get("name") == "scale"]),
        "## Aims (from the issues)",
        "",
        *aims(reports),
        *desk_aims(reports),
        "",
        "## Headline lines, verbatim",
        "",
        "```",
        *headlines,
        "```",
        "",
        HOW_TO_READ,
    ]
    path.write_text("\n".join(lines) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="every script's smoke run, to check they work")
    parser.add_argument("--output", type=Path, help="default: bench/RESULTS.md (bench/out/RESULTS-smoke.md)")
    args = parser.parse_args()
    output = args.output or (OUT / "RESULTS-smoke.md" if args.smoke else BENCH / "RESULTS.md")
    OUT.mkdir(exist_ok=True)
    now = lambda: datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M")  # noqa: E731
    info = dict(machine(), started=now(), load_before=load_average())
    reports = []
    try:
        for benchmark in ENDPOINTS + OTHERS:
            reports += benchmark(args.smoke)
    finally:
        common.drop_templates()  # the databases with the other events, shared by the scripts
    info.update(finished=now(), load_after=load_average())
    write_results(output, reports, info, args.smoke)
    print(f"wrote {output.relative_to(common.ROOT)}")
    failed = [r for r in reports if r.get("returncode")]
    if failed:
        print("failed or invalid: " + ", ".join(f"{r['name']} {r.get('db') or ''}" for r in failed))
        sys.exit(1)


if __name__ == "__main__":
    main()
