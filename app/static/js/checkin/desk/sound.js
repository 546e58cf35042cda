// Optional beeps, made with Web Audio (no sound files): a different tune for each result
// so that the staff can keep their eyes on the person, not the screen.

const SOUND_KEY = "noiday.sound";
const TUNES = {
  green: [{ hz: 880, ms: 90 }, { hz: 1320, ms: 140 }], // rising: welcome
  amber: [{ hz: 660, ms: 160 }, { hz: 660, ms: 160 }], // two equal: look at the screen
  red: [{ hz: 200, ms: 450, wave: "square" }], // low buzz: stop
  blue: [{ hz: 520, ms: 120 }], // one soft note: saved offline
};

export function createBeeper() {
  let context = null;
  let enabled = localStorage.getItem(SOUND_KEY) === "on";

  // Browsers allow audio only after a user gesture; a scanner's keystrokes count as one.
  function audio() {
    context = context || new AudioContext();
    if (context.state === "suspended") context.resume();
    return context;
  }

  function play(kind) {
    if (!enabled || !TUNES[kind] || !window.AudioContext) return;
    const ctx = audio();
    let at = ctx.currentTime + 0.01;
    for (const note of TUNES[kind]) {
      const oscillator = ctx.createOscillator();
      const gain = ctx.createGain();
      oscillator.type = note.wave || "sine";
      oscillator.frequency.value = note.hz;
      const end = at + note.ms / 1000;
      // A short fade in and out avoids clicks.
      gain.gain.setValueAtTime(0.0001, at);
      gain.gain.exponentialRampToValueAtTime(0.3, at + 0.01);
      gain.gain.exponentialRampToValueAtTime(0.0001, end);
      oscillator.connect(gain).connect(ctx.destination);
      oscillator.start(at);
      oscillator.stop(end + 0.02);
      at = end + 0.04;
    }
  }

  function setEnabled(on) {
    enabled = on;
    localStorage.setItem(SOUND_KEY, on ? "on" : "off");
    if (on && window.AudioContext) audio();
  }

  // Unlock audio on the first gesture after a reload, so the camera's results beep too.
  for (const type of ["pointerdown", "keydown"]) {
    document.addEventListener(type, () => enabled && window.AudioContext && audio(), { once: true });
  }

  return { play, setEnabled, isEnabled: () => enabled };
}
