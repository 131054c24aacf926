/**
 * The main thread of a -workers run: N worker threads, each an engine with its share of the run (load/share.ts),
 * fronted as one RunControl. Control goes to every worker by message; the figures come back as exports once a
 * second, and every report (screens, stat file, JSON, thresholds, exit code) reads their merge, as it reads a
 * single engine's. Shared nothing: each worker has its own socket, calls, timers and statistics.
 */
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import type { EndReason, LoadStatus, RunControl, RunExports } from '../engine/run-control.js';
import { shareOf, type Share } from '../load/share.js';
import { mergeExports, summarize } from '../stats/export.js';
import { mergeHistograms, summarizeExport, type HistogramExport } from '../stats/histogram.js';
import type { HistogramSummary, StatsExport, StatsSnapshot } from '../stats/stats.js';
import type { TraceEvent, TraceMethod } from '../events/trace.js';
import { isFromWorker, type FromWorker, type StartFailure, type ToWorker, type WorkerReport } from './protocol.js';
import type { PartFigures } from '../stats/parts.js';
import { mergeRtp, type RtpExport, type RtpTotals } from '../stats/rtp.js';

export interface PoolOptions {
  /** The worker's script: it builds its engine from `data(share)` and serves it (serve.ts). */
  readonly entry: URL;
  readonly parts: number;
  /** What worker k is given (structured-cloned): the run's options and its share. */
  readonly data: (share: Share) => unknown;
  /** How long a graceful stop lets the open calls run (drain.ts), for stopGracefully()'s answer. */
  readonly drainMs: number;
  /** A worker's <log>, <warning> and <error>, and its crash. */
  readonly log: (level: 'log' | 'warning' | 'error', text: string) => void;
  /** RTP media: the run's figures from the workers' merged exports (engine/media-tally.ts, rtpTotalsOf). */
  readonly rtpTotals?: ((e: RtpExport) => RtpTotals) | undefined;
  /** RTP figures of the main thread's own, added to the workers' (-rtp_echo's sockets, opened once for the run). */
  readonly mainRtp?: (() => RtpExport) | undefined;
  /** The run's traces (report/traces.ts): what the workers traced is written by them; which methods are on now. */
  readonly traces?: { readonly replay: (events: readonly TraceEvent[]) => void; readonly on: () => TraceMethod[] } | undefined;
}

/** A worker could not start: its own error, made again by the caller (bind errors exit 254). */
export class WorkerStartError extends Error {
  constructor(readonly failure: StartFailure) {
    super(failure.message);
    this.name = 'WorkerStartError';
  }
}

/** The most telling end of the parts' ends: a failure anywhere is the run's. */
const END_ORDER: readonly EndReason[] = ['overload', 'aborted', 'timeout', 'stopped', 'calls-done'];

interface Part {
  readonly worker: Worker;
  /** Set by its 'ready' message: the worker listens and runs. */
  localPort: number | undefined;
  report: WorkerReport | undefined;
  /** When the report came (ms, performance clock), to carry the elapsed time on between reports. */
  at: number;
  end: EndReason | undefined;
  /** Response-time windows since the last takeWindow, by rtd. */
  window: HistogramExport[] | undefined;
}

/** Starts the workers; resolves once every one is listening, or rejects (all stopped) when one cannot start. */
export async function startPool(o: PoolOptions): Promise<{ control: WorkerPool; localPorts: number[] }> {
  const pool = new WorkerPool(o);
  try {
    await pool.started;
  } catch (e) {
    await pool.terminate();
    throw e;
  }
  return { control: pool, localPorts: pool.localPorts };
}

export class WorkerPool implements RunControl {
  readonly done: Promise<EndReason>;
  /** Resolves once every worker has said 'ready'; rejects with the first that could not start. */
  readonly started: Promise<void>;
  private resolveDone: (r: EndReason) => void = () => undefined;
  private resolveStarted: () => void = () => undefined;
  private rejectStarted: (e: WorkerStartError) => void = () => undefined;
  /** Merged exports, made again only when a report has come since (the screens read them several times a second). */
  private merged: RunExports | undefined;
  private mergedSnapshot: StatsSnapshot | undefined;
  private stopping = false;
  private readonly parts: Part[];

  /**
   * Every listener is on before a worker can say anything: a worker done with its share before the others are
   * ready (a small -m) is not lost.
   */
  constructor(private readonly o: PoolOptions) {
    this.done = new Promise((r) => {
      this.resolveDone = r;
    });
    this.started = new Promise((resolve, reject) => {
      this.resolveStarted = resolve;
      this.rejectStarted = reject;
    });
    this.parts = Array.from({ length: o.parts }, (_v, index) => ({
      worker: new Worker(o.entry, { workerData: o.data({ index, of: o.parts }) }),
      localPort: undefined,
      report: undefined,
      at: 0,
      end: undefined,
      window: undefined,
    }));
    this.parts.forEach((p, k) => {
      p.worker.on('message', (m: unknown) => {
        if (isFromWorker(m)) this.onMessage(p, m);
      });
      p.worker.on('error', (e) => {
        if (p.report === undefined) this.rejectStarted(new WorkerStartError({ kind: 'other', message: `worker ${k}: ${e.message}` }));
        else this.o.log('error', `worker ${k}: ${e.message}`);
        this.ended(p, 'aborted');
      });
      p.worker.on('exit', (code) => {
        if (p.report === undefined)
          this.rejectStarted(new WorkerStartError({ kind: 'other', message: `worker ${k} exited (${code}) before it started` }));
        this.ended(p, 'aborted');
      });
    });
  }

  get localPorts(): number[] {
    return this.parts.map((p) => p.localPort ?? 0);
  }

  /** Stops every thread at once (a worker that could not start). */
  async terminate(): Promise<void> {
    await Promise.all(this.parts.map((p) => p.worker.terminate()));
  }

  private onMessage(p: Part, m: FromWorker): void {
    switch (m.type) {
      case 'report':
        this.take(p, m.report);
        break;
      case 'log':
        this.o.log(m.level, m.text);
        break;
      case 'traces':
        this.o.traces?.replay(m.events);
        break;
      case 'stop':
        if (m.how === 'now') this.stopNow();
        else this.stopGracefully();
        break;
      case 'done':
        this.take(p, m.report);
        this.ended(p, m.reason);
        void p.worker.terminate();
        break;
      case 'ready':
        p.localPort = m.localPort;
        this.take(p, m.report);
        if (this.parts.every((q) => q.report !== undefined)) this.resolveStarted();
        break;
      case 'failed':
        this.rejectStarted(new WorkerStartError(m.failure));
        break;
    }
  }

  private take(p: Part, report: WorkerReport): void {
    p.report = report;
    p.at = performance.now();
    if (report.window !== undefined)
      p.window =
        p.window === undefined
          ? [...report.window]
          : p.window.map((h, i) => {
              const w = report.window?.[i];
              return w === undefined ? h : mergeHistograms(h, w);
            });
    this.merged = undefined;
    this.mergedSnapshot = undefined;
  }

  /** A part's end (its own, or its thread's); the run ends with the last part. */
  private ended(p: Part, reason: EndReason): void {
    if (p.end !== undefined) return;
    p.end = reason;
    if (this.parts.some((q) => q.end === undefined)) return;
    const ends = this.parts.map((q) => q.end);
    this.resolveDone(END_ORDER.find((r) => ends.includes(r)) ?? 'calls-done');
  }

  private send(m: ToWorker): void {
    for (const p of this.parts) if (p.end === undefined) p.worker.postMessage(m);
  }

  /** The workers' latest reports (every worker's, once started). */
  private reports(): WorkerReport[] {
    return this.parts.flatMap((p) => (p.report === undefined ? [] : [p.report]));
  }

  /** Changes the status a part reported, until its next report says it itself (the keys read it back at once). */
  private patchStatus(p: Part, patch: Partial<LoadStatus>): void {
    if (p.report !== undefined) p.report = { ...p.report, status: { ...p.report.status, ...patch } };
  }

  get stoppedByCommand(): boolean {
    return this.reports().some((r) => r.stoppedByCommand);
  }

  /** The worst worker's lateness in its last report: a run is behind when any part of it is. */
  behindScheduleMs(): number {
    return this.reports().reduce((worst, r) => Math.max(worst, r.behindMs), 0);
  }

  workerFigures(): readonly PartFigures[] {
    const now = performance.now();
    return this.parts.map((p, index) => {
      const c = p.report?.exports.main.counts;
      return {
        index,
        localPort: p.localPort,
        // Between reports a running part's time goes on, as the merged elapsed time does.
        elapsedMs: (c?.elapsedMs ?? 0) + (p.end === undefined && p.report !== undefined ? now - p.at : 0),
        created: c?.counters.CallsCreated ?? 0,
        successful: c?.counters.SuccessfulCalls ?? 0,
        failed: c?.counters.FailedCalls ?? 0,
        openCalls: c?.openCalls ?? 0,
        behindMs: p.report?.behindMs ?? 0,
        ended: p.end !== undefined,
      };
    });
  }

  status(): LoadStatus {
    const all = this.reports().map((r) => r.status);
    const first = all[0];
    const sum = (f: (s: LoadStatus) => number): number => all.reduce((n, s) => n + f(s), 0);
    // Each worker's scheduler holds the whole run's rate and starts its stripe of the arrivals (load/share.ts).
    return {
      rate: first?.rate ?? 0,
      limit: sum((s) => s.limit),
      users: sum((s) => s.users),
      userMode: first?.userMode ?? false,
      paused: all.every((s) => s.paused),
    };
  }

  /** Sets each part's share at once (and the status the keys read back), then tells the workers. */
  private setEach(field: 'rate' | 'users' | 'limit', value: (share: Share) => number, message: (v: number) => ToWorker): void {
    this.parts.forEach((p, index) => {
      const v = value({ index, of: this.parts.length });
      this.patchStatus(p, { [field]: v });
      if (p.end === undefined) p.worker.postMessage(message(v));
    });
  }

  setRate(rate: number): void {
    this.setEach(
      'rate',
      () => Math.max(0, rate),
      (v) => ({ type: 'rate', rate: v }),
    );
  }

  setUsers(users: number): void {
    this.setEach(
      'users',
      (s) => shareOf(users, s),
      (v) => ({ type: 'users', users: v }),
    );
  }

  setLimit(limit: number): void {
    // A part's 0 would mean "no cap": each keeps at least one open call while the run has a limit.
    this.setEach(
      'limit',
      (s) => (limit > 0 ? Math.max(1, shareOf(limit, s)) : 0),
      (v) => ({ type: 'limit', limit: v }),
    );
  }

  pause(): void {
    for (const p of this.parts) this.patchStatus(p, { paused: true });
    this.send({ type: 'pause' });
  }

  resume(): void {
    for (const p of this.parts) this.patchStatus(p, { paused: false });
    this.send({ type: 'resume' });
  }

  stopGracefully(): number {
    if (!this.stopping) {
      this.stopping = true;
      this.send({ type: 'stop', how: 'gracefully' });
    }
    return this.o.drainMs;
  }

  stopNow(): void {
    this.send({ type: 'stop', how: 'now' });
  }

  resetStats(): void {
    this.send({ type: 'reset-stats' });
  }

  describeCalls(): string[] {
    return [`(the open calls are in ${this.parts.length} worker threads: dump tasks lists them only without -workers)`];
  }

  globalValues(): [string, string][] {
    // <Global> variables are each worker's own: the screen shows worker 0's.
    return [...(this.parts[0]?.report?.globals ?? [])];
  }

  statsExports(): RunExports {
    if (this.merged !== undefined) return this.merged;
    const all = this.reports().map((r) => r.exports);
    const merge = (pick: (e: RunExports) => StatsExport | undefined): StatsExport | undefined => {
      const list = all.map(pick).filter((e): e is StatsExport => e !== undefined);
      return list.length === 0 ? undefined : list.reduce(mergeExports);
    };
    const main = merge((e) => e.main);
    if (main === undefined) throw new Error('a worker pool without workers');
    const rtp = [...all.map((e) => e.rtp), this.o.mainRtp?.()].filter((e): e is RtpExport => e !== undefined);
    this.merged = {
      main,
      outOfCall: merge((e) => e.outOfCall),
      receive: merge((e) => e.receive),
      rtp: rtp.length === 0 ? undefined : rtp.reduce(mergeRtp),
    };
    return this.merged;
  }

  snapshot(): StatsSnapshot {
    if (this.mergedSnapshot === undefined) {
      const e = this.statsExports();
      const s = summarize(e.main);
      const toTotals = this.o.rtpTotals;
      this.mergedSnapshot = e.rtp === undefined || toTotals === undefined ? s : { ...s, rtp: toTotals(e.rtp) };
    }
    const snap = this.mergedSnapshot;
    if (this.parts.every((p) => p.end !== undefined)) return snap;
    // Between reports the run's time goes on (the screens' rates divide by it).
    const now = performance.now();
    const elapsedMs = Math.max(
      ...this.parts.map((p) => (p.report?.exports.main.counts.elapsedMs ?? 0) + (p.end === undefined ? now - p.at : 0)),
    );
    return { ...snap, elapsedMs };
  }

  outOfCallSnapshot(): StatsSnapshot | undefined {
    const e = this.statsExports().outOfCall;
    return e === undefined ? undefined : summarize(e);
  }

  receiveSnapshot(): StatsSnapshot | undefined {
    const e = this.statsExports().receive;
    return e === undefined ? undefined : summarize(e);
  }

  /** A trace was turned on or off: the workers turn the same methods on. */
  retrace(): void {
    const t = this.o.traces;
    if (t !== undefined) this.send({ type: 'traces', on: t.on() });
  }

  trackWindows(): void {
    this.send({ type: 'track-windows' });
  }

  takeWindowExport(): HistogramExport[] {
    const windows = this.parts.map((p) => p.window).filter((w): w is HistogramExport[] => w !== undefined);
    for (const p of this.parts) p.window = undefined;
    const first = windows[0];
    if (first === undefined) return [];
    return first.map((h, i) =>
      windows.slice(1).reduce((acc, w) => {
        const x = w[i];
        return x === undefined ? acc : mergeHistograms(acc, x);
      }, h),
    );
  }

  takeWindow(): HistogramSummary[] {
    return this.takeWindowExport().map(summarizeExport);
  }
}
