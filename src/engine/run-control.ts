/**
 * What the command line may do to a running engine and read of it (keys, control port, live screens, report
 * files, the exit code). The CLI sees only this, never the engine's scheduler, statistics or calls, so the
 * engine can change inside without the CLI changing with it.
 */
import type { RtpExport } from '../stats/rtp.js';
import type { HistogramExport } from '../stats/histogram.js';
import type { HistogramSummary, StatsExport, StatsSnapshot } from '../stats/stats.js';
import type { PartFigures } from '../stats/parts.js';

/** overload: SIPp's watchdog tripped too many times (a fatal error, as in SIPp). */
export type EndReason = 'calls-done' | 'timeout' | 'stopped' | 'aborted' | 'overload';

/** The load as it is now: what the keys and `cset` change. */
export interface LoadStatus {
  /** Calls per rate period (-r, changed by + - * / and `cset rate`). */
  readonly rate: number;
  /** -l: the most calls open at once (0: none). */
  readonly limit: number;
  /** -users now, in a -users run. */
  readonly users: number;
  /** A -users run: the keys change the users, and the rate and limit cannot be set (SIPp compat). */
  readonly userMode: boolean;
  /** p: no new calls until resumed. */
  readonly paused: boolean;
}

/** A run's statistics as exports that add up (stats/export.ts): what a worker hands the run it is part of. */
export interface RunExports {
  readonly main: StatsExport;
  /** -oocsf; undefined without one. */
  readonly outOfCall: StatsExport | undefined;
  /** -rxsf; undefined without one. */
  readonly receive: StatsExport | undefined;
  /** RTP media, when the run has media. */
  readonly rtp?: RtpExport | undefined;
}

export interface RunControl {
  /** Resolves once the run is over and the transport is closed. */
  readonly done: Promise<EndReason>;
  /** A scenario's <exec int_cmd> stopped the run (SIPp's exit code 97). */
  readonly stoppedByCommand: boolean;
  status(): LoadStatus;
  setRate(rate: number): void;
  /** -users now, in a -users run. */
  setUsers(users: number): void;
  /** -l now, in a rate run. */
  setLimit(limit: number): void;
  pause(): void;
  resume(): void;
  /** Stops creating calls; returns how long the open calls may still take (ms) before they are hung up. */
  stopGracefully(): number;
  /** Ends the run now: open calls are aborted. */
  stopNow(): void;
  /** The control port's `reset stats`: the main scenario's cumulative statistics start again. */
  resetStats(): void;
  /** SIPp's `dump tasks`: each open call and the step it is at. */
  describeCalls(): string[];
  /** <Global> variables and their values now, for the variables screen. */
  globalValues(): [string, string][];
  /**
   * The most the oldest call due was late (ms) since the previous call, for the saturation watch; starts a new
   * window. 0 when the run does not place calls at a rate (a server, -users, paused, stopping).
   */
  behindScheduleMs(): number;
  /** The main scenario's statistics now. */
  snapshot(): StatsSnapshot;
  /** The out-of-call scenario's statistics (-oocsf); undefined without one. */
  outOfCallSnapshot(): StatsSnapshot | undefined;
  /** The receive scenario's statistics (-rxsf); undefined without one. */
  receiveSnapshot(): StatsSnapshot | undefined;
  /** A trace was turned on or off during the run (the control port): the engine looks its sinks up again. */
  retrace(): void;
  /** From now on, also record response times per window (the HTML report's timeline). */
  trackWindows(): void;
  /** Response-time percentiles since the previous call, by rtd (after trackWindows()); starts a new window. */
  takeWindow(): HistogramSummary[];
  /** The statistics of every scenario of the run, as exports (-workers: merged over the workers). */
  statsExports(): RunExports;
  /** takeWindow() as histograms that add up. */
  takeWindowExport(): HistogramExport[];
  /** -workers: each worker's own figures, in worker order; undefined for a run on the main thread alone. */
  workerFigures?(): readonly PartFigures[];
}
