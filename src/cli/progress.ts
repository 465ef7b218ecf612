/**
 * A progress line on stderr for loads and reports that take a while. Shown only when stderr is
 * a terminal (CliIO.isTTY; bin.ts leaves it false in pipes and CI logs), and only once the work
 * has run for a second: quick runs never see it. The line is redrawn in place (`\r`), at most
 * every 100 ms, and cleared (`\r\x1b[K`) by done(), which every caller reaches through
 * `finally`, so no timer outlives the work and no half line is left behind.
 *
 * The CLI's work is mostly synchronous, so a timer cannot fire in the middle of it: the line is
 * drawn both by an (unref'd) interval, for the asynchronous stretches, and by update(), which
 * looks at the clock itself, for the steps between synchronous stretches.
 */
import type { CliIO } from './common.js';

/** A timer handle as setInterval returns it; unref() keeps it from holding the process open. */
export interface ProgressTimer {
  unref?: () => unknown;
}

/** The clock and timers a progress line uses; tests inject a fake one. */
export interface ProgressClock {
  /** Milliseconds, monotonic enough for intervals. */
  now: () => number;
  setInterval: (fn: () => void, ms: number) => ProgressTimer;
  clearInterval: (timer: ProgressTimer) => void;
}

export interface ProgressOptions {
  clock?: ProgressClock;
  /** How long the work runs before the line appears (ms; default 1000). */
  delayMs?: number;
  /** The least time between two redraws (ms; default 100). */
  intervalMs?: number;
}

export interface Progress {
  /** What the work is doing now; shown after the delay, redrawn at most every interval. */
  update: (text: string) => void;
  /** Writes a whole message to stderr without garbling the progress line. */
  note: (text: string) => void;
  /** Clears the line and stops the timer; safe to call more than once. */
  done: () => void;
}

const realClock: ProgressClock = {
  now: () => performance.now(),
  setInterval: (fn, ms) => setInterval(fn, ms),
  clearInterval: (timer) => clearInterval(timer as ReturnType<typeof setInterval>),
};

/** Erases the current terminal line and returns the cursor to its start. */
export const CLEAR_LINE = '\r\x1b[K';
/** The widest line drawn, so it never wraps on an 80-column terminal (which would break `\r`). */
const MAX_WIDTH = 79;

/** Control characters (terminal escapes included) in a name are not the terminal's business. */
function printable(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ');
}

function fit(line: string): string {
  const chars = [...line];
  return chars.length <= MAX_WIDTH ? line : `${chars.slice(0, MAX_WIDTH - 1).join('')}…`;
}

/**
 * Starts a progress line labelled `label`. When `io.isTTY` is not true, nothing is ever written
 * and no timer is started; note() then writes its text as it is.
 */
export function startProgress(io: CliIO, label: string, options: ProgressOptions = {}): Progress {
  if (io.isTTY !== true) {
    return { update: () => undefined, note: (text) => io.stderr(text), done: () => undefined };
  }
  const clock = options.clock ?? realClock;
  const delayMs = options.delayMs ?? 1000;
  const intervalMs = options.intervalMs ?? 100;
  const start = clock.now();
  let text = '';
  /** What is on the terminal now ('' when nothing is). */
  let shown = '';
  let lastDraw = -Infinity;
  let finished = false;

  const draw = (force: boolean): void => {
    if (finished) return;
    const t = clock.now();
    if (t - start < delayMs) return;
    if (!force && t - lastDraw < intervalMs) return;
    const line = fit(printable(text === '' ? label : `${label}: ${text}`));
    if (line === shown) return;
    lastDraw = t;
    shown = line;
    io.stderr(`\r${line}\x1b[K`);
  };

  let timer: ProgressTimer | null = clock.setInterval(() => draw(true), intervalMs);
  timer.unref?.();

  return {
    update: (next) => {
      text = next;
      draw(false);
    },
    note: (message) => {
      if (shown !== '' && !finished) {
        io.stderr(CLEAR_LINE);
        shown = '';
      }
      io.stderr(message);
      draw(true);
    },
    done: () => {
      if (finished) return;
      finished = true;
      if (timer) clock.clearInterval(timer);
      timer = null;
      if (shown !== '') io.stderr(CLEAR_LINE);
      shown = '';
    },
  };
}

/** Runs `work` with a progress line that is cleared however the work ends. */
export async function withProgress<T>(
  io: CliIO,
  label: string,
  work: (progress: Progress) => T | Promise<T>,
  options: ProgressOptions = {},
): Promise<T> {
  const progress = startProgress(io, label, options);
  try {
    return await work(progress);
  } finally {
    progress.done();
  }
}
