// A progress bar for the command lines: cli-progress on a terminal; without one (CI logs, files)
// a plain line at every tenth of the way, so long jobs still show where they are.

import { Presets, SingleBar } from "cli-progress";

export interface Progress {
  start(total: number): void;
  /** `extra`: a short status shown after the bar (loss, temperature, …). */
  update(value: number, extra?: string): void;
  stop(): void;
}

export function progressBar(label: string, unit: string): Progress {
  if (process.stdout.isTTY) {
    const bar = new SingleBar({ format: `${label} |{bar}| {value}/{total} ${unit} | {duration}s | ETA {eta}s {extra}`, hideCursor: true }, Presets.shades_classic);
    return {
      start: (total) => bar.start(total, 0, { extra: "" }),
      update: (value, extra = "") => bar.update(value, { extra }),
      stop: () => bar.stop(),
    };
  }
  let total = 1;
  let next = 0;
  let started = 0;
  return {
    start: (t) => { total = Math.max(1, t); next = 0; started = performance.now(); },
    update: (value, extra = "") => {
      if (value < next && value < total) return;
      const seconds = (performance.now() - started) / 1000;
      const eta = value > 0 ? (seconds * (total - value)) / value : 0;
      console.log(`${label}: ${value}/${total} ${unit}, ${seconds.toFixed(0)} s elapsed, ETA ${eta.toFixed(0)} s ${extra}`);
      next = value + Math.ceil(total / 10);
    },
    stop: () => undefined,
  };
}
