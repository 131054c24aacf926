/**
 * Live statistics while a run goes on. On a TTY: the screen chosen with keys 1-9, redrawn every -f
 * seconds. Elsewhere (CI, pipes): a progress line on stderr every few seconds, never cursor codes.
 */
import type { StatsSnapshot } from '../stats/stats.js';
import { renderScreenNumber, type ScreenSource } from './screens.js';

export interface LiveOutput {
  readonly isTTY: boolean;
  write(text: string): void;
}

export interface LiveSource extends ScreenSource {
  snapshot(): StatsSnapshot;
  /** A line shown above every screen and progress line while it holds (the saturation alert); undefined: none. */
  alert?(): string | undefined;
}

/** Without a TTY a line every few seconds is enough: logs stay readable on long runs. */
const PROGRESS_MIN_MS = 2000;

export function renderProgress(s: StatsSnapshot, src: LiveSource): string {
  const c = s.counters;
  return `[${(s.elapsedMs / 1000).toFixed(1)}s] ${src.scenario.name}: ${c.CallsCreated} created, ${s.openCalls} open, ${c.SuccessfulCalls} successful, ${c.FailedCalls} failed, ${c.Retransmissions} retrans${c.CallsNotStarted > 0 ? `, ${c.CallsNotStarted} not started (behind rate)` : ''}`;
}

export interface Live {
  /** Shows screen n (1-9) now. */
  select(screen: number): void;
  /** Redraws now (a TTY), or writes the progress line now: something the user must see at once. */
  refresh(): void;
  stop(): void;
}

/** Starts the periodic display. */
export function startLive(src: LiveSource, out: LiveOutput, periodMs: number, epochMs: () => number = Date.now): Live {
  const every = out.isTTY ? Math.max(100, periodMs) : Math.max(PROGRESS_MIN_MS, periodMs);
  let screen = 1;
  // The statistics screen's periodic column covers the time since its previous redraw.
  let previous: StatsSnapshot | undefined;
  const draw = (): void => {
    const s = src.snapshot();
    const alert = src.alert?.();
    // The alert heads the screen; without a TTY it ends every progress line, so a log read anywhere says it.
    if (out.isTTY)
      out.write(`\x1b[H\x1b[2J${alert === undefined ? '' : `${alert}\n`}${renderScreenNumber(screen, s, src, previous, epochMs())}\n`);
    else out.write(`${renderProgress(s, src)}${alert === undefined ? '' : ` | ${alert}`}\n`);
    previous = s;
  };
  const timer = setInterval(draw, every);
  timer.unref();
  return {
    select: (n) => {
      screen = n;
      if (out.isTTY) draw();
    },
    refresh: draw,
    stop: () => clearInterval(timer),
  };
}
