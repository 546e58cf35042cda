"""Benchmark: the check-in desk as a person feels it, in headless Chromium.

    python bench/desk_browser.py [--db sqlite|postgresql] [--smoke] [--report FILE]

Our app under gunicorn (production settings, bench/common.py), a desk user signed in and a
desk device paired in the page (its token in localStorage, as the admin's pairing link
leaves it). Meanwhile nine other desk devices scan through the API at a busy door's pace,
one scan every 2 seconds each, from threads. Measured in the page with performance.now()
(an init script watches the page; the app is not changed for it), each badge a fresh
attendee (first check-ins):

- the desk's cold first load (a new browser context: empty cache, no service worker):
  navigation start to the desk ready to scan (#desk[data-ready], painted), and the warm
  load (the same context again, its cache and service worker in place);
- the keyboard-wedge scanner: the badge token typed into the focused scan field, then
  Enter; from the Enter key to the green screen painted (a requestAnimationFrame, then a
  task, after the result panel changed), and the scan API call's own time;
- the fake camera (a video of badges, Chromium's --use-file-for-fake-video-capture): from
  the first video frame that holds a badge to the green screen painted, and from the
  camera starting to the first green screen (the QR decoder loading included).

Last line: desk_p95_ms=T desk_cold_load_ms=T (the scanner's p95 Enter to green, the cold
load's p50), then desk_p50_ms, camera_first_frame_to_green_ms (p95),
camera_start_to_green_ms (p50) and desk_warm_load_ms (p50).
"""

import http.client
import io
import itertools
import json
import os
import sys
import threading
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import checkin, common  # noqa: E402

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"viewport": {"width": 1280, "height": 800}, "locale": "it-IT", "timezone_id": "Europe/Rome"}
PASSWORD = "bench-desk-password-1"
API_DESKS = 9
API_DESK_PERIOD_S = 2.0  # a busy door: one scan every 2 seconds at each desk
FRAME_RATE = 30  # Chromium plays an MJPEG file at 30 frames a second
BADGE_SECONDS, BLANK_SECONDS = 1.2, 1.0  # each badge in the video, then an empty frame
TIMEOUT_MS = 15_000

# Watches the page from before its own scripts run; everything lands in window.__desk.
# "Painted": a requestAnimationFrame after the change, then a task (the frame has been drawn).
INSTRUMENT = """
(() => {
  const T = (window.__desk = {
    ready: null, scans: [], camera: [], apiScans: [], cameraStart: null, cameraStartToGreen: null,
  });
  let enter = null, badgeFrame = null, startedAt = null;
  const afterPaint = (record) => requestAnimationFrame(() => setTimeout(() => record(performance.now()), 0));
  performance.setResourceTimingBufferSize(100000);
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      if (entry.name.includes("/api/v1/scan")) T.apiScans.push(entry.responseEnd - entry.startTime);
    }
  }).observe({ type: "resource", buffered: true });
  addEventListener("keydown", (event) => { if (event.key === "Enter") enter = event.timeStamp; }, true);

  function watch() {
    const desk = document.getElementById("desk");
    if (!desk) return;
    const result = document.getElementById("result");
    const camera = document.getElementById("camera");
    const video = document.getElementById("camera-video");
    new MutationObserver(() => {
      if (desk.dataset.ready !== "true" || T.ready !== null) return;
      T.ready = 0;
      T.readyAt = performance.now();
      afterPaint((t) => (T.ready = t));
    }).observe(desk, { attributes: true, attributeFilter: ["data-ready"] });
    new MutationObserver(() => {
      if (camera.dataset.state !== "starting" || startedAt !== null) return;
      startedAt = T.cameraStart = performance.now();
    }).observe(camera, { attributes: true, attributeFilter: ["data-state"] });
    new MutationObserver(() => {
      const kind = result.dataset.result;
      if (kind === "ready") return;
      const name = result.querySelector(".result-name")?.textContent || "";
      const rendered = performance.now();
      if (enter !== null) {
        const at = enter; enter = null;
        afterPaint((painted) => T.scans.push({ enter: at, rendered, painted, kind, name }));
      }
      if (badgeFrame !== null) {
        const at = badgeFrame; badgeFrame = null;
        afterPaint((painted) => T.camera.push({ frame: at, rendered, painted, kind, name }));
      }
      if (startedAt !== null && T.cameraStartToGreen === null && kind === "green") {
        T.cameraStartToGreen = 0;
        afterPaint((painted) => (T.cameraStartToGreen = painted - startedAt));
      }
    }).observe(result, { childList: true });
    // Each frame the camera shows: does it hold a badge (dark pixels on the white frame)?
    // The first frame of a badge, once the camera is on, starts a camera measurement.
    const canvas = document.createElement("canvas");
    canvas.width = 32; canvas.height = 24;
    const context = canvas.getContext("2d", { willReadFrequently: true });
    let hadBadge = false;
    const onFrame = (now, frame) => {
      if (video.videoWidth) {
        context.drawImage(video, 0, 0, 32, 24);
        const pixels = context.getImageData(0, 0, 32, 24).data;
        let dark = 0;
        for (let i = 0; i < pixels.length; i += 4) if (pixels[i] < 200) dark += 1;
        const hasBadge = dark > 4;
        if (hasBadge && !hadBadge && camera.dataset.state === "on") {
          badgeFrame = Math.min(now, frame.presentationTime || now);
        }
        hadBadge = hasBadge;
      }
      video.requestVideoFrameCallback(onFrame);
    };
    if (video && video.requestVideoFrameCallback) video.requestVideoFrameCallback(onFrame);
  }
  document.addEventListener("DOMContentLoaded", watch);
})();
"""

# The cold load's waterfall, for the log: what the page fetched and when.
WATERFALL = """
() => {
  const nav = performance.getEntriesByType("navigation")[0];
  const resources = performance.getEntriesByType("resource").map((r) => ({
    name: r.name.replace(location.origin, ""), start: r.startTime, end: r.responseEnd,
    request: r.requestStart, response: r.responseStart,
    bytes: r.transferSize, decoded: r.decodedBodySize, blocking: r.renderBlockingStatus,
  }));
  return {
    html_end: nav.responseEnd, dom_content_loaded: nav.domContentLoadedEventEnd, load: nav.loadEventEnd,
    html_bytes: nav.transferSize, resources,
    ready_at: window.__desk.readyAt, ready_painted: window.__desk.ready,
    first_contentful_paint: performance.getEntriesByName("first-contentful-paint")[0]?.startTime ?? null,
  };
}
"""


def percentile(values: list[float], share: float) -> float:
    """The value below which `share` of the values lie (linear between the nearest two)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    position = (len(ordered) - 1) * share
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def summary(values: list[float]) -> dict:
    return dict(
        samples=len(values),
        p50_ms=round(percentile(values, 0.5), 1),
        p95_ms=round(percentile(values, 0.95), 1),
        max_ms=round(max(values), 1) if values else 0.0,
    )


# --- data ---------------------------------------------------------------------------------


def prepare(database, attendees: int, desks: int) -> dict:
    """Confirmed attendees (their badge tokens, in order), desk devices (as bench/checkin.py
    makes them) and a desk user."""
    from app.extensions import db
    from app.staff.services import create_user

    _ids, codes, tokens = checkin.prepare(database, attendees, desks)
    app = common.make_app(database)
    with app.app_context():
        event = common.moca_event()
        create_user("desk@example.org", "Desk Staff", PASSWORD, "desk", events=[event])
        slug = event.slug
        db.session.remove()
    return dict(codes=codes, desk_tokens=tokens, slug=slug)


def badge_video(codes: list[str], path: Path) -> Path:
    """An MJPEG video for Chromium's fake camera: each badge's QR code on a white 640x480
    frame for BADGE_SECONDS, then a white frame for BLANK_SECONDS."""
    from PIL import Image

    from app.checkin.badges import qr_png

    def jpeg(image) -> bytes:
        buffer = io.BytesIO()
        image.save(buffer, "JPEG", quality=90)
        return buffer.getvalue()

    blank = Image.new("RGB", (640, 480), "white")
    blank_frame = jpeg(blank)
    with open(path, "wb") as video:
        for code in codes:
            frame = blank.copy()
            qr = Image.open(io.BytesIO(qr_png(code))).convert("RGB")
            frame.paste(qr, ((640 - qr.width) // 2, (480 - qr.height) // 2))
            video.write(jpeg(frame) * round(BADGE_SECONDS * FRAME_RATE))
            video.write(blank_frame * round(BLANK_SECONDS * FRAME_RATE))
    return path


# --- the nine other desks -------------------------------------------------------------------


class ApiDesks:
    """API_DESKS desk devices in threads, each POSTing /api/v1/scan every API_DESK_PERIOD_S
    with its own token, each scan a badge of `codes` (first check-ins while they last)."""

    def __init__(self, port: int, tokens: list[str], codes: list[str]):
        self.port, self.tokens = port, tokens
        self.codes = itertools.cycle(codes)
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.latencies_ms: list[float] = []
        self.statuses: dict[int, int] = {}
        self.errors: list[str] = []
        self.threads = [
            threading.Thread(target=self._desk, args=(n, t), daemon=True) for n, t in enumerate(tokens)
        ]

    def __enter__(self):
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc):
        self.stopping.set()
        for thread in self.threads:
            thread.join(timeout=30)

    def _desk(self, number: int, token: str) -> None:
        # Staggered, so that the nine desks' scans spread over each 2 seconds.
        if self.stopping.wait(API_DESK_PERIOD_S * number / len(self.tokens)):
            return
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}
        next_at = time.monotonic()
        while not self.stopping.is_set():
            with self.lock:
                code = next(self.codes)
            body = json.dumps({"code": code, "request_id": uuid.uuid4().hex})
            started = time.perf_counter()
            try:
                connection.request("POST", "/api/v1/scan", body, headers)
                response = connection.getresponse()
                response.read()
                with self.lock:
                    self.latencies_ms.append((time.perf_counter() - started) * 1000)
                    self.statuses[response.status] = self.statuses.get(response.status, 0) + 1
            except OSError as error:
                self.errors.append(repr(error))
                connection.close()
            next_at += API_DESK_PERIOD_S
            self.stopping.wait(max(0.0, next_at - time.monotonic()))
        connection.close()


# --- the browser desk -------------------------------------------------------------------------


def launch(playwright, extra_args=()):
    return playwright.chromium.launch(
        executable_path=CHROMIUM, headless=True, args=[*CHROMIUM_ARGS, *extra_args]
    )


def new_page(browser, problems: list, **options):
    context = browser.new_context(**DESKTOP, **options)
    context.set_default_timeout(TIMEOUT_MS)
    context.add_init_script(INSTRUMENT)
    page = context.new_page()
    page.on("pageerror", lambda error: problems.append(f"JavaScript error: {error}"))
    return context, page


def sign_in_and_pair(browser, base: str, desk_url: str, desk_token: str, problems: list) -> dict:
    """Sign in as desk staff and open the admin's pairing link: the cookies and the
    localStorage every later context starts from."""
    context, page = new_page(browser, problems)
    page.goto(f"{base}/staff/login")
    page.locator("#email").fill("desk@example.org")
    page.locator("#password").fill(PASSWORD)
    page.locator("form button[type=submit]").click()
    page.wait_for_url(desk_url)
    page.goto("about:blank")
    page.goto(f"{desk_url}#pair={desk_token}")
    page.wait_for_selector("#desk[data-ready=true]")
    state = context.storage_state()
    context.close()
    return state


def wait_ready(page) -> float:
    page.wait_for_function("() => window.__desk && window.__desk.ready > 0")
    return page.evaluate("() => window.__desk.ready")


def measure_loads(browser, desk_url: str, state: dict, count: int, problems: list) -> dict:
    """Cold loads (a fresh context each time), then a warm load in the same context once
    its service worker holds the desk."""
    cold, warm, waterfalls = [], [], []
    for _ in range(count):
        context, page = new_page(browser, problems, storage_state=state)
        page.goto(desk_url)
        cold.append(wait_ready(page))
        waterfalls.append(page.evaluate(WATERFALL))
        page.wait_for_selector("#desk[data-offline-ready=true]")
        page.goto(desk_url)
        warm.append(wait_ready(page))
        context.close()
    return dict(cold=cold, warm=warm, waterfall=waterfalls[len(waterfalls) // 2])


def measure_scanner(browser, desk_url: str, state: dict, codes: list[str], pause_s: float, problems: list):
    """The wedge types each badge into the focused scan field, then Enter."""
    context, page = new_page(browser, problems, storage_state=state)
    page.goto(desk_url)
    wait_ready(page)
    page.wait_for_selector("#scan-code:focus")
    for n, code in enumerate(codes, start=1):
        page.keyboard.type(code.lower())  # a scanner on another keyboard layout may
        page.keyboard.press("Enter")
        page.wait_for_function(f"() => window.__desk.scans.length >= {n}")
        time.sleep(pause_s)
    scans = page.evaluate("() => window.__desk.scans")
    api = page.evaluate("() => window.__desk.apiScans")
    context.close()
    return scans, api


def measure_camera(playwright, desk_url: str, state: dict, codes: list[str], video: Path, problems: list):
    """One browser whose camera films `codes` in turn: the camera starts by itself (the
    permission was given), the first badge times the start, the others their first frame."""
    browser = launch(
        playwright,
        [
            "--use-fake-ui-for-media-stream",
            "--use-fake-device-for-media-stream",
            f"--use-file-for-fake-video-capture={video}",
        ],
    )
    try:
        context, page = new_page(browser, problems, storage_state=state, permissions=["camera"])
        page.goto(desk_url)
        wait_ready(page)
        wanted = len(codes) - 1
        seconds = len(codes) * (BADGE_SECONDS + BLANK_SECONDS) + 10
        page.wait_for_function(
            f"() => window.__desk.cameraStartToGreen > 0 && window.__desk.camera.length >= {wanted}",
            timeout=seconds * 1000,
        )
        samples = page.evaluate("() => window.__desk.camera")[:wanted]
        start_to_green = page.evaluate("() => window.__desk.cameraStartToGreen")
        context.close()
    finally:
        browser.close()
    return samples, start_to_green


# --- the run ------------------------------------------------------------------------------


def main() -> None:
    args = common.arguments(__doc__.splitlines()[0], http=False)
    if not os.path.exists(CHROMIUM):
        sys.exit(f"Chromium not found at {CHROMIUM}: apt-get install -y chromium")
    from playwright.sync_api import sync_playwright

    loads = 2 if args.smoke else 10
    scans = 5 if args.smoke else 60
    camera_runs, badges_per_video = (1, 3) if args.smoke else (3, 8)
    background = 100 if args.smoke else 1500  # enough for every API desk scan to be a first one
    total = scans + camera_runs * badges_per_video + background
    problems: list[str] = []
    with (
        common.workdir("desk-browser") as workdir,
        common.BenchDatabase(args.db, "desk", workdir, pg_url=args.pg_url, others=args.others) as database,
    ):
        data = prepare(database, total, API_DESKS + 1)
        codes = data["codes"]
        scanner_codes, codes = codes[:scans], codes[scans:]
        videos = []
        for run in range(camera_runs):
            run_codes, codes = codes[:badges_per_video], codes[badges_per_video:]
            videos.append((run_codes, badge_video(run_codes, workdir / f"badges-{run}.mjpeg")))
        desk_token, *api_tokens = data["desk_tokens"]
        with (
            common.Server("wsgi:app", common.app_env(database.url), workdir) as server,
            sync_playwright() as playwright,
        ):
            desk_url = f"{server.url}/{data['slug']}/desk/"
            browser = launch(playwright)
            state = sign_in_and_pair(browser, server.url, desk_url, desk_token, problems)
            with ApiDesks(server.port, api_tokens, codes) as api_desks:
                load = measure_loads(browser, desk_url, state, loads, problems)
                scanner, api_calls = measure_scanner(
                    browser, desk_url, state, scanner_codes, 0.2 if args.smoke else 0.5, problems
                )
                browser.close()
                camera, camera_starts = [], []
                for run_codes, video in videos:
                    samples, start_to_green = measure_camera(
                        playwright, desk_url, state, run_codes, video, problems
                    )
                    camera += samples
                    camera_starts.append(start_to_green)

    enter_to_green = [s["painted"] - s["enter"] for s in scanner]
    frame_to_green = [s["painted"] - s["frame"] for s in camera]
    figures = {
        "scanner_enter_to_green": summary(enter_to_green),
        "scanner_api_call": summary(api_calls),
        "camera_first_frame_to_green": summary(frame_to_green),
        "camera_start_to_green": summary(camera_starts),
        "cold_load": summary(load["cold"]),
        "warm_load": summary(load["warm"]),
        "api_desks": summary(api_desks.latencies_ms),
    }
    rows = [dict(measure=name, db=args.db, **values) for name, values in figures.items()]
    for row in rows:
        common.log(
            f"{row['measure']}: p50 {row['p50_ms']} ms, p95 {row['p95_ms']} ms, max {row['max_ms']} ms "
            f"({row['samples']} samples)"
        )
    waterfall = load["waterfall"]
    common.log(
        f"cold load waterfall (median run): HTML at {waterfall['html_end']:.1f} ms "
        f"({waterfall['html_bytes']} B), DOMContentLoaded {waterfall['dom_content_loaded']:.1f} ms, "
        f"load {waterfall['load']:.1f} ms, {len(waterfall['resources'])} requests, "
        f"{sum(r['bytes'] for r in waterfall['resources']):,} B; first contentful paint "
        f"{waterfall['first_contentful_paint'] or 0:.1f} ms, desk shown {waterfall['ready_at']:.1f} ms, "
        f"painted {waterfall['ready_painted']:.1f} ms"
    )
    for resource in waterfall["resources"]:
        common.log(
            f"  {resource['start']:7.1f} -> {resource['end']:7.1f} ms (sent {resource['request']:7.1f}, "
            f"first byte {resource['response']:7.1f}) {resource['bytes']:>8} B "
            f"{resource['blocking'] or '':<15} {resource['name']}"
        )
    common.log(f"API desks: {API_DESKS}, answers {api_desks.statuses}, errors {len(api_desks.errors)}")
    kinds = {s["kind"] for s in scanner + camera}
    valid = (
        kinds == {"green"}
        and set(api_desks.statuses) == {200}
        and not api_desks.errors
        and not problems
        and len(scanner) == scans
    )
    if not valid:
        common.log(
            f"INVALID: results {sorted(kinds)}; problems: {problems[:5]}; errors {api_desks.errors[:3]}"
        )
    common.finish(
        args,
        {"name": "desk_browser", "rows": rows, "waterfall": waterfall},
        common.headline(
            desk_p95_ms=figures["scanner_enter_to_green"]["p95_ms"],
            desk_cold_load_ms=figures["cold_load"]["p50_ms"],
            desk_p50_ms=figures["scanner_enter_to_green"]["p50_ms"],
            camera_first_frame_to_green_ms=figures["camera_first_frame_to_green"]["p95_ms"],
            camera_start_to_green_ms=figures["camera_start_to_green"]["p50_ms"],
            desk_warm_load_ms=figures["warm_load"]["p50_ms"],
        ),
        valid,
    )


if __name__ == "__main__":
    main()
