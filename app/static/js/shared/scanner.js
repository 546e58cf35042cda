// The two ways a badge reaches the page besides the scan field: the camera, and a
// keyboard-wedge scanner typing while no text field has the focus.

const DECODE_EVERY_MS = 120; // about 8 decodes a second: quick enough, light on old laptops
const DECODE_REST_MS = 40; // a laptop slower than that still gets this rest between decodes
const DECODE_MAX_WIDTH = 800; // a badge QR (version 2) reads well at this size, and fast
// A badge held in front of the camera is read once; it can be read again only after it
// has left the picture for this long (then the server answers "already checked in").
const GONE_AFTER_MS = 1500;
const CAMERA_PREFERENCE_KEY = "noiday.camera";

// Prefer the browser's own detector (Chrome on Android and macOS); elsewhere zxing-wasm,
// served by the app itself with its .wasm, so that it works offline and without a CDN.
async function loadDecoder(vendorBase) {
  if ("BarcodeDetector" in window) {
    try {
      const formats = await window.BarcodeDetector.getSupportedFormats();
      if (formats.includes("qr_code")) {
        const detector = new window.BarcodeDetector({ formats: ["qr_code"] });
        return async (video) => (await detector.detect(video)).map((code) => code.rawValue);
      }
    } catch {
      // fall through to zxing-wasm
    }
  }
  const zxing = await import(new URL("reader/index.js", vendorBase).href);
  await zxing.prepareZXingModule({
    overrides: {
      locateFile: (path, prefix) => (path.endsWith(".wasm") ? new URL(path, vendorBase).href : prefix + path),
    },
    fireImmediately: true,
  });
  const canvas = document.createElement("canvas");
  const context = canvas.getContext("2d", { willReadFrequently: true });
  const options = { formats: ["QRCode"], tryHarder: true, maxNumberOfSymbols: 1 };
  return async (video) => {
    const scale = Math.min(1, DECODE_MAX_WIDTH / video.videoWidth);
    canvas.width = Math.round(video.videoWidth * scale);
    canvas.height = Math.round(video.videoHeight * scale);
    context.drawImage(video, 0, 0, canvas.width, canvas.height);
    const image = context.getImageData(0, 0, canvas.width, canvas.height);
    const results = await zxing.readBarcodes(image, options);
    return results.filter((result) => result.isValid).map((result) => result.text);
  };
}

// Why the camera did not start, as a code each page turns into its own words (the
// browser's own messages are in English, and name no way out): "denied", "insecure",
// "not_found", "busy", "unsupported", "decoder" (the QR reader did not load), "ended"
// (the camera went away while on), "failed" (anything else).

function cameraError(error) {
  switch (error?.name) {
    case "NotAllowedError":
    case "SecurityError":
      return window.isSecureContext ? "denied" : "insecure";
    case "NotFoundError":
    case "OverconstrainedError":
      return "not_found";
    case "NotReadableError":
    case "AbortError":
      return "busy";
    default:
      return "failed";
  }
}

// onCode(text) for each new code; onState(state, detail) with state "off", "starting",
// "on" or "error"; with "error", detail is one of the codes above.
export function createCamera({ video, vendorBase, onCode, onState }) {
  let stream = null;
  let decoder = null;
  let running = false;
  let lastCode = null;
  let lastSeenAt = 0;

  function reportCode(text) {
    const now = performance.now();
    const stillInView = text === lastCode && now - lastSeenAt < GONE_AFTER_MS;
    lastCode = text;
    lastSeenAt = now;
    if (!stillInView) onCode(text);
  }

  // A steady pace, each decode DECODE_EVERY_MS after the one before started (not after it
  // ended): a badge coming into view waits for the next decode at most that long.
  async function decodeLoop() {
    while (running) {
      const startedAt = performance.now();
      if (video.readyState >= 2 && video.videoWidth > 0) {
        try {
          for (const text of await decoder(video)) reportCode(text);
        } catch (error) {
          console.warn("QR decoding failed on a frame", error);
        }
      }
      const rest = Math.max(DECODE_REST_MS, DECODE_EVERY_MS - (performance.now() - startedAt));
      await new Promise((resolve) => setTimeout(resolve, rest));
    }
  }

  async function start() {
    if (running) return;
    if (!navigator.mediaDevices?.getUserMedia) {
      onState("error", window.isSecureContext ? "unsupported" : "insecure");
      return;
    }
    running = true;
    localStorage.setItem(CAMERA_PREFERENCE_KEY, "on");
    onState("starting");
    try {
      stream = await navigator.mediaDevices.getUserMedia({
        audio: false,
        video: { facingMode: { ideal: "environment" }, width: { ideal: 1280 }, height: { ideal: 720 } },
      });
      video.srcObject = stream;
      await video.play();
    } catch (error) {
      return fail(cameraError(error), error);
    }
    try {
      decoder = decoder || (await loadDecoder(vendorBase));
    } catch (error) {
      return fail("decoder", error);
    }
    if (!running) return stopStream(); // stopped while starting
    // A camera unplugged, or taken by another app, ends its track: say so, do not stay "on".
    stream.getVideoTracks().forEach((track) => track.addEventListener("ended", () => running && fail("ended")));
    onState("on");
    decodeLoop();
  }

  function fail(reason, error) {
    if (error) console.warn("The camera did not start:", error);
    const stoppedMeanwhile = !running; // the staff pressed "stop" while it was starting
    stopStream();
    if (!stoppedMeanwhile) onState("error", reason);
  }

  function stopStream() {
    running = false;
    stream?.getTracks().forEach((track) => track.stop());
    stream = null;
    video.srcObject = null;
  }

  // remember: false when the page, not the staff, turns the camera off.
  function stop({ remember = true } = {}) {
    if (remember) localStorage.setItem(CAMERA_PREFERENCE_KEY, "off");
    stopStream();
    onState("off");
  }

  // Start without a click when the browser already allows the camera for this site,
  // unless the staff turned it off on this device.
  async function startIfAllowed() {
    if (localStorage.getItem(CAMERA_PREFERENCE_KEY) === "off") return;
    try {
      const permission = await navigator.permissions.query({ name: "camera" });
      if (permission.state === "granted") start();
    } catch {
      // Some browsers cannot query the camera permission: wait for the button.
    }
  }

  return { start, stop, startIfAllowed, isRunning: () => running };
}

// A scanner types fast (a few ms per key) and ends with Enter. Wherever the focus is (a
// button just clicked, the search box), catch that burst here; ordinary typing is slower
// and is left alone. The average pace decides, not each gap: a Bluetooth link can delay a
// single key now and then. The pace is read from each key's own time (event.timeStamp:
// when the device sent it), not from when this handler runs: while the page is busy (the
// camera decoding, a result being drawn) keys wait in a queue, and handling times would
// make a scanner look like a person typing.
const PAUSE_MS = 300; // a longer pause starts a new burst
const MAX_AVERAGE_GAP_MS = 35; // people type 80-250 ms per key
const MIN_CODE_LENGTH = 8;

// ignore(target): true for fields that handle a scanner themselves (the scan field).
export function listenForScannerBursts(onCode, ignore) {
  let buffer = "";
  let firstKeyAt = 0;
  let lastKeyAt = 0;
  document.addEventListener("keydown", (event) => {
    if (ignore(event.target) || event.ctrlKey || event.metaKey || event.altKey) return;
    const now = event.timeStamp;
    if (now - lastKeyAt > PAUSE_MS) {
      buffer = "";
      firstKeyAt = now;
    }
    lastKeyAt = now;
    if (event.key === "Enter") {
      const averageGap = (now - firstKeyAt) / Math.max(buffer.length, 1);
      if (buffer.length >= MIN_CODE_LENGTH && averageGap <= MAX_AVERAGE_GAP_MS) {
        event.preventDefault(); // or Enter would also press the button, submit the search
        removeTypedText(event.target, buffer);
        onCode(buffer);
      }
      buffer = "";
    } else if (event.key.length === 1) {
      buffer += event.key;
    }
  });
}

// The burst also landed in the focused text field (the search box): take it out again.
function removeTypedText(field, text) {
  if (typeof field.value !== "string" || !field.value.endsWith(text)) return;
  field.value = field.value.slice(0, -text.length);
  field.dispatchEvent(new Event("input", { bubbles: true }));
}
