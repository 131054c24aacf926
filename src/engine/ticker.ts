/**
 * The engine's one interval timer. Every wake-up of the process costs CPU of its own (about 20 µs here, more
 * than the work of a tick), so the engine wakes no more often than it needs: every -timer_resol ms for the
 * timers, and as often as the rate needs to start calls evenly, never more than once a millisecond. Re-armed
 * when the need changes.
 */
import type { EngineTimers } from './host.js';

export interface TickNeed {
  /** -timer_resol, at least 1 ms. */
  readonly resolutionMs: number;
  /** The engine starts calls at a rate now (not paused, stopping, done, nor a server or 3PCC-driven scenario). */
  readonly placing: boolean;
  /** A -users run: a call starts as soon as one ends. */
  readonly userMode: boolean;
  /** Calls per period, and the period (ms). */
  readonly rate: number;
  readonly periodMs: number;
}

/** How often to wake (ms) for this need. */
export function tickInterval(n: TickNeed): number {
  if (!n.placing) return n.resolutionMs;
  if (n.userMode) return 1;
  if (n.rate <= 0) return n.resolutionMs;
  return Math.min(n.resolutionMs, Math.max(1, Math.floor(n.periodMs / n.rate)));
}

export class Ticker {
  private timer: unknown;
  private ms = 0;

  constructor(
    private readonly onTick: () => void,
    private readonly timers: EngineTimers,
  ) {}

  /** How often it wakes now (ms); 0 before it is first armed. */
  get intervalMs(): number {
    return this.ms;
  }

  /** Wakes every `everyMs` from now on, unless it already does. */
  arm(everyMs: number): void {
    if (everyMs === this.ms) return;
    if (this.timer !== undefined) this.timers.clearInterval(this.timer);
    this.ms = everyMs;
    this.timer = this.timers.setInterval(this.onTick, everyMs);
  }

  stop(): void {
    if (this.timer !== undefined) this.timers.clearInterval(this.timer);
  }
}
