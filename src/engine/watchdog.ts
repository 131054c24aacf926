/**
 * SIPp's watchdog (watchdog.cpp): a timer that should run every -watchdog_interval ms. When it runs later
 * than -watchdog_minor_threshold (or -watchdog_major_threshold) after its last run, the event loop was
 * stalled: a minor (major) trip. Too many trips end the run, as an overloaded SIPp ends; a quiet spell of
 * -watchdog_reset ms forgets them. Pure: the caller gives it the time.
 */
export interface WatchdogOptions {
  readonly intervalMs: number;
  readonly resetMs: number;
  readonly minorMs: number;
  readonly majorMs: number;
  /** Trips allowed before the run ends; -1: no limit (SIPp compat). */
  readonly minorMax: number;
  readonly majorMax: number;
}

export type WatchdogEvent =
  | { readonly kind: 'trip'; readonly major: boolean; readonly text: string }
  | { readonly kind: 'fail'; readonly major: boolean; readonly text: string }
  | { readonly kind: 'reset'; readonly text: string };

export class Watchdog {
  private lastFire: number;
  private lastTrip: number;
  private minorTrips = 0;
  private majorTrips = 0;

  constructor(
    private readonly o: WatchdogOptions,
    nowMs: number,
  ) {
    this.lastFire = nowMs;
    this.lastTrip = nowMs;
  }

  /** The timer ran at `nowMs`: what it found, in order (SIPp's messages). */
  check(nowMs: number): WatchdogEvent[] {
    const o = this.o;
    const gap = Math.round(nowMs - this.lastFire);
    const events: WatchdogEvent[] = [];
    if (gap > o.majorMs) {
      this.majorTrips++;
      this.lastTrip = nowMs;
      events.push({
        kind: 'trip',
        major: true,
        text: `Overload warning: the major watchdog timer ${o.majorMs}ms has been tripped (${gap}), ${o.majorMax - this.majorTrips} trips remaining.`,
      });
    } else if (gap > o.minorMs) {
      this.minorTrips++;
      this.lastTrip = nowMs;
      events.push({
        kind: 'trip',
        major: false,
        text: `Overload warning: the minor watchdog timer ${o.minorMs}ms has been tripped (${gap}), ${o.minorMax - this.minorTrips} trips remaining.`,
      });
    }
    if (o.majorMax !== -1 && this.majorTrips > o.majorMax) {
      events.push({
        kind: 'fail',
        major: true,
        text: `Overload error: the watchdog timer has tripped the major threshold of ${o.majorMs}ms too many times (${this.majorTrips} out of ${o.majorMax} allowed) (${this.minorTrips} out of ${o.minorMax} minor ${o.minorMs}ms timeouts tripped)`,
      });
    } else if (o.minorMax !== -1 && this.minorTrips > o.minorMax) {
      events.push({
        kind: 'fail',
        major: false,
        text: `Overload error: the watchdog timer has tripped the minor threshold of ${o.minorMs}ms too many times (${this.minorTrips} out of ${o.minorMax} allowed) (${this.majorTrips} out of ${o.majorMax} major ${o.majorMs}ms timeouts tripped)`,
      });
    }
    if (o.resetMs > 0 && (this.majorTrips > 0 || this.minorTrips > 0) && nowMs > this.lastTrip + o.resetMs) {
      events.push({
        kind: 'reset',
        text: `Resetting watchdog timer trigger counts, as it has not been triggered in over ${Math.round(nowMs - this.lastTrip)}ms.`,
      });
      this.majorTrips = 0;
      this.minorTrips = 0;
    }
    this.lastFire = nowMs;
    return events;
  }
}
