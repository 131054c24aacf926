/**
 * The saturation watch: whether sipts itself, not the system under test, limits the run. A load generator
 * whose event loop is late, that falls behind its own call schedule, whose socket drops datagrams or whose
 * thread has no CPU left measures itself from then on: its response times include its own queueing, and the
 * rate it reaches is its own ceiling. Four signals, sampled once a second (never per packet), each with a
 * threshold that must hold for a few consecutive samples; the first crossing of each is recorded once, with
 * the start of the window where it began.
 *
 * Plain data that merges (mergeSaturation): a worker thread can report its own, and the run's is their OR,
 * with the earliest start and the highest peaks.
 */

export type SaturationKind = 'event-loop-delay' | 'behind-schedule' | 'receive-drops' | 'cpu';

/** In the order the reports list them. */
export const SATURATION_KINDS: readonly SaturationKind[] = ['event-loop-delay', 'behind-schedule', 'receive-drops', 'cpu'];

export interface SaturationThreshold {
  /** The value at or above which a sample counts (ms, ms, datagrams, % of one core). */
  readonly limit: number;
  /** Consecutive samples (seconds) at or above the limit before it is a crossing. */
  readonly samples: number;
}

export type SaturationThresholds = Readonly<Record<SaturationKind, SaturationThreshold>>;

/**
 * Defaults, and why:
 * - event loop p99 ≥ 50 ms for 2 s: every time stamp sipts takes is then up to 50 ms late, which is more
 *   than most response times it measures; one garbage-collection pause makes one bad second, not two.
 * - behind schedule ≥ 100 ms for 2 s: the oldest call due is started a tenth of a second late, so the rate
 *   asked for is not the rate made (the scheduler drops starts past 1 s behind; see load/scheduler.ts).
 * - receive drops ≥ 1, at once: the kernel threw away datagrams meant for sipts because sipts had not read
 *   its socket in time; the peer's retransmissions and timeouts that follow are sipts's doing.
 * - CPU ≥ 95 % of one core for 3 s: the thread has nothing left; everything else follows from that.
 */
export const DEFAULT_SATURATION_THRESHOLDS: SaturationThresholds = {
  'event-loop-delay': { limit: 50, samples: 2 },
  'behind-schedule': { limit: 100, samples: 2 },
  'receive-drops': { limit: 1, samples: 1 },
  cpu: { limit: 95, samples: 3 },
};

/** One second's readings. A figure the platform cannot give is undefined (and never crosses). */
export interface SaturationSample {
  /** Run time (ms since the run started) at the end of the window. */
  readonly atMs: number;
  /** The window's length (ms): the time since the previous sample. */
  readonly windowMs: number;
  /** p99 of the event loop's delay over the window (ms). */
  readonly loopDelayP99Ms: number | undefined;
  /** How late the oldest call due was, at worst over the window (ms); 0 when none was late. */
  readonly behindMs: number;
  /** CPU time the thread used over the window (ms). */
  readonly cpuMs: number | undefined;
  /** Datagrams the kernel dropped on the run's sockets since the run started (or system-wide, see scope). */
  readonly drops: number | undefined;
}

/** Where the drop count comes from: the run's own sockets (/proc/net/udp), or the whole system's UDP counter. */
export type DropScope = 'sockets' | 'system' | 'unavailable';

export interface SaturationSignal {
  readonly crossed: boolean;
  /** Run time (ms) at which the window of the first crossing sample began. */
  readonly sinceMs: number | undefined;
  /** The highest value seen over the run (ms, ms, datagrams in one window, % of one core). */
  readonly peak: number;
  readonly limit: number;
}

export interface SaturationReport {
  readonly saturated: boolean;
  /** What crossed its threshold, earliest first. */
  readonly what: readonly SaturationKind[];
  /** Run time (ms) from which the figures measure sipts; undefined when not saturated. */
  readonly sinceMs: number | undefined;
  readonly signals: Readonly<Record<SaturationKind, SaturationSignal>>;
  /** Datagrams dropped over the run, and where that count comes from. */
  readonly receiveDrops: { readonly count: number; readonly scope: DropScope };
}

interface Track {
  streak: number;
  streakStartMs: number;
  crossed: boolean;
  sinceMs: number | undefined;
  peak: number;
}

export class SaturationWatch {
  private readonly tracks: Record<SaturationKind, Track>;
  private lastDrops = 0;
  /** Drops over the run so far. */
  private drops = 0;

  constructor(
    private readonly dropScope: DropScope,
    private readonly thresholds: SaturationThresholds = DEFAULT_SATURATION_THRESHOLDS,
  ) {
    const track = (): Track => ({ streak: 0, streakStartMs: 0, crossed: false, sinceMs: undefined, peak: 0 });
    this.tracks = { 'event-loop-delay': track(), 'behind-schedule': track(), 'receive-drops': track(), cpu: track() };
  }

  /** Takes one second's readings; returns what crossed its threshold with this sample (each kind once a run). */
  sample(s: SaturationSample): SaturationKind[] {
    const startMs = s.atMs - s.windowMs;
    let newDrops: number | undefined;
    if (s.drops !== undefined) {
      // A total never goes down (a socket closed takes its count with it): the run's is the most seen.
      newDrops = Math.max(0, s.drops - this.lastDrops);
      this.lastDrops = Math.max(this.lastDrops, s.drops);
      this.drops = this.lastDrops;
    }
    const values: Record<SaturationKind, number | undefined> = {
      'event-loop-delay': s.loopDelayP99Ms,
      'behind-schedule': s.behindMs,
      'receive-drops': newDrops,
      cpu: s.cpuMs === undefined || s.windowMs <= 0 ? undefined : (100 * s.cpuMs) / s.windowMs,
    };
    const crossed: SaturationKind[] = [];
    for (const kind of SATURATION_KINDS) {
      const v = values[kind];
      const t = this.tracks[kind];
      if (v === undefined) {
        t.streak = 0;
        continue;
      }
      if (v > t.peak) t.peak = v;
      const th = this.thresholds[kind];
      if (v < th.limit) {
        t.streak = 0;
        continue;
      }
      if (t.streak === 0) t.streakStartMs = startMs;
      t.streak++;
      if (!t.crossed && t.streak >= th.samples) {
        t.crossed = true;
        t.sinceMs = Math.max(0, Math.round(t.streakStartMs));
        crossed.push(kind);
      }
    }
    return crossed;
  }

  report(): SaturationReport {
    const signals = Object.fromEntries(
      SATURATION_KINDS.map((k) => {
        const t = this.tracks[k];
        return [k, { crossed: t.crossed, sinceMs: t.sinceMs, peak: round(t.peak), limit: this.thresholds[k].limit }];
      }),
    ) as Record<SaturationKind, SaturationSignal>;
    return summarize(signals, { count: this.drops, scope: this.dropScope });
  }
}

const round = (v: number): number => Math.round(v * 10) / 10;

function summarize(signals: Record<SaturationKind, SaturationSignal>, receiveDrops: SaturationReport['receiveDrops']): SaturationReport {
  const what = SATURATION_KINDS.filter((k) => signals[k].crossed).sort((a, b) => (signals[a].sinceMs ?? 0) - (signals[b].sinceMs ?? 0));
  const since = what.map((k) => signals[k].sinceMs ?? 0);
  return { saturated: what.length > 0, what, sinceMs: since.length === 0 ? undefined : Math.min(...since), signals, receiveDrops };
}

/**
 * Two threads' (or segments') reports as one run's: crossed if either crossed, from the earlier start, the
 * higher peak. Drops on each one's own sockets add up; a system-wide count is the same counter seen twice.
 */
export function mergeSaturation(a: SaturationReport, b: SaturationReport): SaturationReport {
  const signals = Object.fromEntries(
    SATURATION_KINDS.map((k) => {
      const x = a.signals[k];
      const y = b.signals[k];
      const starts = [x.sinceMs, y.sinceMs].filter((v): v is number => v !== undefined);
      return [
        k,
        {
          crossed: x.crossed || y.crossed,
          sinceMs: starts.length === 0 ? undefined : Math.min(...starts),
          peak: Math.max(x.peak, y.peak),
          limit: Math.max(x.limit, y.limit),
        },
      ];
    }),
  ) as Record<SaturationKind, SaturationSignal>;
  const da = a.receiveDrops;
  const db = b.receiveDrops;
  const scope: DropScope =
    da.scope === db.scope ? da.scope : da.scope === 'unavailable' ? db.scope : db.scope === 'unavailable' ? da.scope : 'system';
  const count = da.scope === 'sockets' && db.scope === 'sockets' ? da.count + db.count : Math.max(da.count, db.count);
  return summarize(signals, { count, scope });
}
