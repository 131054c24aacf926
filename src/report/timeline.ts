/** Samples of a run over time (one a second) for the HTML report: counters and response-time windows. */
import type { HistogramSummary, StatsSnapshot } from '../stats/stats.js';

export interface TimelinePoint {
  readonly tS: number;
  readonly created: number;
  readonly successful: number;
  readonly failed: number;
  readonly open: number;
  readonly retrans: number;
  /** Percentiles of the response times measured since the previous point, by rtd. */
  readonly rtd: readonly HistogramSummary[];
}

/** Keeps at most MAX points: past that, every other point is dropped, so a day-long run stays small. */
const MAX_POINTS = 3600;

export class Timeline {
  private points: TimelinePoint[] = [];

  add(s: StatsSnapshot, window: readonly HistogramSummary[]): void {
    const c = s.counters;
    this.points.push({
      tS: s.elapsedMs / 1000,
      created: c.CallsCreated,
      successful: c.SuccessfulCalls,
      failed: c.FailedCalls + c.AbortedCalls,
      open: s.openCalls,
      retrans: c.Retransmissions,
      rtd: window,
    });
    if (this.points.length > MAX_POINTS) this.points = this.points.filter((_p, i) => i % 2 === 0 || i === this.points.length - 1);
  }

  get all(): readonly TimelinePoint[] {
    return this.points;
  }
}
