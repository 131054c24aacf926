/**
 * Run statistics. Recording is an array increment or a histogram record (O(1), no allocation);
 * snapshot() copies everything into plain data for reporters, which never see live calls; export() the same with
 * each histogram encoded, which adds up across threads and machines (see export.ts).
 */
import type { RtpTotals } from './rtp.js';
import type { JsHistogram } from 'hdr-histogram-js/dist/JsHistogram.js';
import { FAILURE_REASONS, type FailureReason } from '../events/outcome.js';
import { TRANSPORT_ERROR_KINDS, type TransportErrorKind } from '../events/transport-error.js';
import { encodeHistogram, newHistogram, summarizeLive, type HistogramExport, type HistogramSummary } from './histogram.js';

export type { HistogramExport, HistogramSummary } from './histogram.js';

/** Run-wide counters that are not failure reasons. Written once, here. */
export const COUNTERS = [
  'CallsCreated',
  'SuccessfulCalls',
  'FailedCalls',
  'AbortedCalls',
  'Retransmissions',
  'OutOfCallMsgs',
  'DeadCallMsgs',
  'BadMessages',
  /** Every transport error, whatever its kind (StatsSnapshot.transportErrors has them by kind). */
  'SendErrors',
  'CallsRefusedByLimit',
  'CallsNotStarted',
  'AutoAnswered',
  /** SIPp's watchdog trips: the event loop ran late (see engine/watchdog.ts). */
  'WatchdogMajor',
  'WatchdogMinor',
] as const;
export type CounterName = (typeof COUNTERS)[number];
export const Counter = Object.fromEntries(COUNTERS.map((c, i) => [c, i])) as { readonly [K in CounterName]: number };

export const STEP_COUNTERS = ['sent', 'recv', 'retrans', 'timeouts', 'unexpected', 'lost'] as const;
export type StepCounterName = (typeof STEP_COUNTERS)[number];

export type { RtpTotals } from './rtp.js';

export interface StatsSnapshot {
  readonly elapsedMs: number;
  readonly counters: Readonly<Record<CounterName, number>>;
  readonly failures: Readonly<Record<FailureReason, number>>;
  /** Transport errors by kind; their sum is counters.SendErrors. */
  readonly transportErrors: Readonly<Record<TransportErrorKind, number>>;
  readonly steps: readonly Readonly<Record<StepCounterName, number>>[];
  readonly rtd: readonly { readonly name: string; readonly summary: HistogramSummary }[];
  readonly callLength: HistogramSummary;
  readonly openCalls: number;
  /** Messages that ended calls as unexpected, by what they were: `403 (REGISTER)`, `BYE`. */
  readonly unexpected: Readonly<Record<string, number>>;
  /** The scenario's counter="…" step counters. */
  readonly userCounters: Readonly<Record<string, number>>;
  /** Sums for SIPp's averages and standard deviations: by rtd, then call length. */
  readonly rtdMoments: readonly Moments[];
  readonly callLengthMoments: Moments;
  /** Counts per <ResponseTimeRepartition> / <CallLengthRepartition> bucket (edges, then one for >= the last). */
  readonly rtdRepartition: readonly (readonly number[])[];
  readonly callLengthRepartition: readonly number[];
  /** How many times the cumulative figures were reset (the control port's `reset stats`). */
  readonly resets: number;
  /** RTP media, when the run has media (media actions or -rtp_echo). */
  readonly rtp?: RtpTotals | undefined;
}

/** The figures of a snapshot that are counts and sums: the same in a snapshot and an export. */
export type StatsCounts = Omit<StatsSnapshot, 'rtd' | 'callLength'>;

/** Written in every export, checked when exports are merged: a reader knows what it holds. */
export const STATS_EXPORT_FORMAT = 'sipts-stats/1';

/**
 * A run's statistics as plain JSON that adds up (mergeExports in export.ts): the snapshot's counts and sums,
 * and each histogram encoded instead of summarized, since percentiles of parts do not make the percentiles of
 * the whole. What a worker thread or another machine sends.
 */
export interface StatsExport {
  /** STATS_EXPORT_FORMAT when made by this sipts; checked by a reader (the data may come from elsewhere). */
  readonly format: string;
  readonly counts: StatsCounts;
  readonly rtd: readonly { readonly name: string; readonly hist: HistogramExport }[];
  readonly callLength: HistogramExport;
}

/** count, sum and sum of squares of ms values. */
export interface Moments {
  readonly count: number;
  readonly sumMs: number;
  readonly sumSqMs: number;
}

/** Mean of the values summed in `m` (0 when none). */
export function momentsMean(m: Moments): number {
  return m.count > 0 ? m.sumMs / m.count : 0;
}

/** Standard deviation of the values summed in `m` (SIPp's StDev columns: the population deviation). */
export function momentsStdev(m: Moments): number {
  if (m.count === 0) return 0;
  const avg = m.sumMs / m.count;
  return Math.sqrt(Math.max(0, m.sumSqMs / m.count - avg * avg));
}

/** The values recorded since `before`: a period's moments from two cumulative ones. */
export const momentsSince = (now: Moments, before: Moments | undefined): Moments =>
  before === undefined ? now : { count: now.count - before.count, sumMs: now.sumMs - before.sumMs, sumSqMs: now.sumSqMs - before.sumSqMs };

/** count, min, p50, p90, p99, p99.9, max: the columns every percentile table shows (ms). */
export const PERCENTILE_HEADS = ['count', 'min', 'p50', 'p90', 'p99', 'p99.9', 'max'] as const;
export const percentileCells = (h: HistogramSummary): number[] => [h.count, h.minMs, h.p50Ms, h.p90Ms, h.p99Ms, h.p999Ms, h.maxMs];

export interface RepartitionEdges {
  readonly responseTime: readonly number[];
  readonly callLength: readonly number[];
}

export class Stats {
  readonly counters = new Float64Array(COUNTERS.length);
  readonly failures = new Float64Array(FAILURE_REASONS.length);
  readonly transportErrors = new Float64Array(TRANSPORT_ERROR_KINDS.length);
  /** STEP_COUNTERS.length entries per step, step-major. */
  readonly steps: Float64Array;
  private readonly rtdHist: JsHistogram[];
  /** The same, since the last takeWindow(): percentiles over time for the HTML report. Empty until
   *  trackWindows(): without that report, a response time is recorded once. */
  private rtdWindow: JsHistogram[] = [];
  private readonly callLengthHist = newHistogram();
  openCalls = 0;
  private resets = 0;
  private readonly unexpectedKinds = new Map<string, number>();

  private readonly userCounts: Float64Array;
  /** count, sum, sum of squares: 3 per rtd, then 3 for call length. */
  private readonly moments: Float64Array;
  private readonly rtdBuckets: Float64Array[];
  private readonly callLengthBuckets: Float64Array;

  constructor(
    private readonly stepCount: number,
    private readonly rtdNames: readonly string[],
    private startMs: number,
    private readonly userCounterNames: readonly string[] = [],
    private readonly edges: RepartitionEdges = { responseTime: [], callLength: [] },
  ) {
    this.steps = new Float64Array(stepCount * STEP_COUNTERS.length);
    this.userCounts = new Float64Array(userCounterNames.length);
    this.moments = new Float64Array((rtdNames.length + 1) * 3);
    this.rtdBuckets = rtdNames.map(() => new Float64Array(edges.responseTime.length + 1));
    this.callLengthBuckets = new Float64Array(edges.callLength.length + 1);
    this.rtdHist = rtdNames.map(newHistogram);
  }

  count(counter: number, by = 1): void {
    this.counters[counter] = (this.counters[counter] ?? 0) + by;
  }

  fail(reason: number): void {
    this.failures[reason] = (this.failures[reason] ?? 0) + 1;
  }

  /** A transport error of the kind at `kind` in TRANSPORT_ERROR_KINDS, also counted in SendErrors. */
  transportError(kind: number): void {
    bump(this.transportErrors, kind);
    this.count(Counter.SendErrors);
  }

  step(index: number, counter: number): void {
    this.steps[index * STEP_COUNTERS.length + counter] = (this.steps[index * STEP_COUNTERS.length + counter] ?? 0) + 1;
  }

  countUser(index: number): void {
    this.userCounts[index] = (this.userCounts[index] ?? 0) + 1;
  }

  /** Off the hot path: only messages that end a call as unexpected get here. */
  unexpected(kind: string): void {
    this.unexpectedKinds.set(kind, (this.unexpectedKinds.get(kind) ?? 0) + 1);
  }

  recordRtd(index: number, ms: number): void {
    const us = Math.max(1, Math.round(ms * 1000));
    this.rtdHist[index]?.recordValue(us);
    this.rtdWindow[index]?.recordValue(us);
    this.addMoment(index, ms);
    const b = this.rtdBuckets[index];
    if (b !== undefined) bump(b, bucketOf(this.edges.responseTime, ms));
  }

  recordCallLength(ms: number): void {
    this.callLengthHist.recordValue(Math.max(1, Math.round(ms * 1000)));
    this.addMoment(this.rtdNames.length, ms);
    bump(this.callLengthBuckets, bucketOf(this.edges.callLength, ms));
  }

  private addMoment(i: number, ms: number): void {
    bump(this.moments, i * 3);
    bump(this.moments, i * 3 + 1, ms);
    bump(this.moments, i * 3 + 2, ms * ms);
  }

  private momentsOf(i: number): Moments {
    return { count: this.moments[i * 3] ?? 0, sumMs: this.moments[i * 3 + 1] ?? 0, sumSqMs: this.moments[i * 3 + 2] ?? 0 };
  }

  /**
   * SIPp's `reset stats` (E_RESET_C_COUNTERS): the cumulative counts, failure reasons, user counters and the
   * response-time and call-length averages start again from zero, and so does the elapsed time. Open calls,
   * the per-step message counts and the repartitions are kept, as SIPp keeps them.
   */
  resetCumulative(nowMs: number): void {
    this.counters.fill(0);
    this.failures.fill(0);
    this.transportErrors.fill(0);
    this.userCounts.fill(0);
    this.moments.fill(0);
    for (const h of this.rtdHist) h.reset();
    this.callLengthHist.reset();
    this.unexpectedKinds.clear();
    this.startMs = nowMs;
    this.resets++;
  }

  /** From now on, also record response times per window (see takeWindow). */
  trackWindows(): void {
    if (this.rtdWindow.length === 0) this.rtdWindow = this.rtdNames.map(newHistogram);
  }

  /** Response-time percentiles since the previous call, by rtd (after trackWindows()); starts a new window. */
  takeWindow(): HistogramSummary[] {
    return this.takeWindowAs(summarizeLive);
  }

  /** The same window's histograms, encoded: windows of parts add up (mergeHistograms) to the whole's. */
  takeWindowExport(): HistogramExport[] {
    return this.takeWindowAs(encodeHistogram);
  }

  private takeWindowAs<T>(read: (h: JsHistogram) => T): T[] {
    return this.rtdWindow.map((h) => {
      const v = read(h);
      h.reset();
      return v;
    });
  }

  /**
   * The figures for reports, each histogram summarized. This does what summarize(this.export(nowMs)) does
   * (export.ts; a unit test holds them equal), without encoding and decoding every histogram: it runs each
   * second for the screens and stat rows. Measured with 3 histograms of 100,000 values: 2.8 ms this way,
   * 5.5 ms through an export (1.0 ms to encode, 4.5 ms to decode and summarize).
   */
  snapshot(nowMs: number): StatsSnapshot {
    return {
      ...this.counts(nowMs),
      rtd: this.rtdNames.map((name, i) => ({ name, summary: summarizeLive(this.rtdHistogram(i)) })),
      callLength: summarizeLive(this.callLengthHist),
    };
  }

  /** The figures as plain JSON that adds up: see StatsExport. */
  export(nowMs: number): StatsExport {
    return {
      format: STATS_EXPORT_FORMAT,
      counts: this.counts(nowMs),
      rtd: this.rtdNames.map((name, i) => ({ name, hist: encodeHistogram(this.rtdHistogram(i)) })),
      callLength: encodeHistogram(this.callLengthHist),
    };
  }

  private rtdHistogram(i: number): JsHistogram {
    const h = this.rtdHist[i];
    if (h === undefined) throw new RangeError(`no rtd #${i}`);
    return h;
  }

  private counts(nowMs: number): StatsCounts {
    const counters = Object.fromEntries(COUNTERS.map((c, i) => [c, this.counters[i] ?? 0])) as Record<CounterName, number>;
    const failures = Object.fromEntries(FAILURE_REASONS.map((r, i) => [r, this.failures[i] ?? 0])) as Record<FailureReason, number>;
    const transportErrors = Object.fromEntries(TRANSPORT_ERROR_KINDS.map((k, i) => [k, this.transportErrors[i] ?? 0])) as Record<
      TransportErrorKind,
      number
    >;
    const steps: Record<StepCounterName, number>[] = [];
    for (let s = 0; s < this.stepCount; s++) {
      steps.push(
        Object.fromEntries(STEP_COUNTERS.map((c, i) => [c, this.steps[s * STEP_COUNTERS.length + i] ?? 0])) as Record<
          StepCounterName,
          number
        >,
      );
    }
    return {
      elapsedMs: nowMs - this.startMs,
      counters,
      failures,
      transportErrors,
      steps,
      openCalls: this.openCalls,
      unexpected: Object.fromEntries(this.unexpectedKinds),
      userCounters: Object.fromEntries(this.userCounterNames.map((n, i) => [n, this.userCounts[i] ?? 0])),
      rtdMoments: this.rtdNames.map((_n, i) => this.momentsOf(i)),
      callLengthMoments: this.momentsOf(this.rtdNames.length),
      rtdRepartition: this.rtdBuckets.map((b) => [...b]),
      callLengthRepartition: [...this.callLengthBuckets],
      resets: this.resets,
    };
  }
}

export const StepCounter = Object.fromEntries(STEP_COUNTERS.map((c, i) => [c, i])) as { readonly [K in StepCounterName]: number };

function bump(a: Float64Array, i: number, by = 1): void {
  a[i] = (a[i] ?? 0) + by;
}

/** The bucket of `ms`: the first edge it is below, else the last bucket (SIPp: `<edge` …, `>=last`). */
function bucketOf(edges: readonly number[], ms: number): number {
  for (let i = 0; i < edges.length; i++) if (ms < (edges[i] ?? 0)) return i;
  return edges.length;
}
