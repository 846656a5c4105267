/** A short, soft tone for new alerts, made on the spot with WebAudio (no audio files). */
let context: AudioContext | null = null;

/** Browsers let sound start only after a gesture on the page: call this from one (a click, a key press). */
export function wakeChime(): void {
  if (typeof AudioContext === 'undefined') return;
  context ??= new AudioContext();
  if (context.state === 'suspended') void context.resume();
}

export function chime(): void {
  if (!context || context.state !== 'running') return;
  const t = context.currentTime;
  const tone = context.createOscillator();
  const gain = context.createGain();
  tone.type = 'sine';
  tone.frequency.setValueAtTime(660, t);
  tone.frequency.exponentialRampToValueAtTime(550, t + 0.6);
  gain.gain.setValueAtTime(0.0001, t);
  gain.gain.exponentialRampToValueAtTime(0.12, t + 0.05);
  gain.gain.exponentialRampToValueAtTime(0.0001, t + 0.8);
  tone.connect(gain).connect(context.destination);
  tone.start(t);
  tone.stop(t + 0.85);
}
