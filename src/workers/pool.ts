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
import type { FromWorker, StartFailure, ToWorker, WorkerReport } from './protocol.js';

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
  report: WorkerReport;
  /** When the report came (ms, performance clock), to carry the elapsed time on between reports. */
  at: number;
  end: EndReason | undefined;
  /** Response-time windows since the last takeWindow, by rtd. */
  window: HistogramExport[] | undefined;
}

/** Starts the workers; resolves once every one is listening, or rejects (all stopped) when one cannot start. */
export async function startPool(o: PoolOptions): Promise<{ control: WorkerPool; localPorts: number[] }> {
  const started = Array.from({ length: o.parts }, (_v, index) => startPart(o, { index, of: o.parts }));
  const results = await Promise.allSettled(started);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed !== undefined) {
    await Promise.all(results.flatMap((r) => (r.status === 'fulfilled' ? [r.value.worker.terminate()] : [])));
    throw failed.reason;
  }
  const parts = results.map((r) => (r as PromiseFulfilledResult<{ worker: Worker; localPort: number; report: WorkerReport }>).value);
  const control = new WorkerPool(parts.map((p) => ({ worker: p.worker, report: p.report, at: performance.now(), end: undefined, window: undefined })), o);
  return { control, localPorts: parts.map((p) => p.localPort) };
}

function startPart(o: PoolOptions, share: Share): Promise<{ worker: Worker; localPort: number; report: WorkerReport }> {
  const worker = new Worker(o.entry, { workerData: o.data(share) });
  return new Promise((resolve, reject) => {
    const onMessage = (m: FromWorker): void => {
      if (m.type === 'ready') { off(); resolve({ worker, localPort: m.localPort, report: m.report }); }
      else if (m.type === 'failed') { off(); void worker.terminate(); reject(new WorkerStartError(m.failure)); }
      else if (m.type === 'log') o.log(m.level, m.text);
    };
    const onError = (e: Error): void => { off(); reject(new WorkerStartError({ kind: 'other', message: `worker ${share.index}: ${e.message}` })); };
    const onExit = (code: number): void => { off(); reject(new WorkerStartError({ kind: 'other', message: `worker ${share.index} exited (${code}) before it started` })); };
    const off = (): void => { worker.off('message', onMessage); worker.off('error', onError); worker.off('exit', onExit); };
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
  });
}

export class WorkerPool implements RunControl {
  readonly done: Promise<EndReason>;
  private resolveDone: (r: EndReason) => void = () => undefined;
  /** Merged exports, made again only when a report has come since (the screens read them several times a second). */
  private merged: RunExports | undefined;
  private mergedSnapshot: StatsSnapshot | undefined;
  private stopping = false;

  constructor(private readonly parts: Part[], private readonly o: PoolOptions) {
    this.done = new Promise((r) => { this.resolveDone = r; });
    parts.forEach((p, k) => {
      p.worker.on('message', (m: FromWorker) => { this.onMessage(p, m); });
      p.worker.on('error', (e) => { this.o.log('error', `worker ${k}: ${e.message}`); this.ended(p, 'aborted'); });
      p.worker.on('exit', () => { this.ended(p, 'aborted'); });
    });
  }

  private onMessage(p: Part, m: FromWorker): void {
    switch (m.type) {
      case 'report': this.take(p, m.report); break;
      case 'log': this.o.log(m.level, m.text); break;
      case 'stop': if (m.how === 'now') this.stopNow(); else this.stopGracefully(); break;
      case 'done':
        this.take(p, m.report);
        this.ended(p, m.reason);
        void p.worker.terminate();
        break;
      case 'ready': case 'failed': break;
    }
  }

  private take(p: Part, report: WorkerReport): void {
    p.report = report;
    p.at = performance.now();
    if (report.window !== undefined) p.window = p.window === undefined ? [...report.window] : p.window.map((h, i) => { const w = report.window?.[i]; return w === undefined ? h : mergeHistograms(h, w); });
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

  get stoppedByCommand(): boolean {
    return this.parts.some((p) => p.report.stoppedByCommand);
  }

  status(): LoadStatus {
    const first = this.parts[0]?.report.status;
    const sum = (f: (s: LoadStatus) => number): number => this.parts.reduce((n, p) => n + f(p.report.status), 0);
    // Each worker's scheduler holds the whole run's rate and starts its stripe of the arrivals (load/share.ts).
    return {
      rate: first?.rate ?? 0, limit: sum((s) => s.limit), users: sum((s) => s.users),
      userMode: first?.userMode ?? false, paused: this.parts.every((p) => p.report.status.paused),
    };
  }

  /** Sets each part's share at once (and the status the keys read back), then tells the workers. */
  private setEach(field: 'rate' | 'users' | 'limit', value: (share: Share) => number, message: (v: number) => ToWorker): void {
    this.parts.forEach((p, index) => {
      const v = value({ index, of: this.parts.length });
      p.report = { ...p.report, status: { ...p.report.status, [field]: v } };
      if (p.end === undefined) p.worker.postMessage(message(v));
    });
  }

  setRate(rate: number): void {
    this.setEach('rate', () => Math.max(0, rate), (v) => ({ type: 'rate', rate: v }));
  }

  setUsers(users: number): void {
    this.setEach('users', (s) => shareOf(users, s), (v) => ({ type: 'users', users: v }));
  }

  setLimit(limit: number): void {
    // A part's 0 would mean "no cap": each keeps at least one open call while the run has a limit.
    this.setEach('limit', (s) => (limit > 0 ? Math.max(1, shareOf(limit, s)) : 0), (v) => ({ type: 'limit', limit: v }));
  }

  pause(): void {
    for (const p of this.parts) p.report = { ...p.report, status: { ...p.report.status, paused: true } };
    this.send({ type: 'pause' });
  }

  resume(): void {
    for (const p of this.parts) p.report = { ...p.report, status: { ...p.report.status, paused: false } };
    this.send({ type: 'resume' });
  }

  stopGracefully(): number {
    if (!this.stopping) { this.stopping = true; this.send({ type: 'stop', how: 'gracefully' }); }
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
    return [...(this.parts[0]?.report.globals ?? [])];
  }

  statsExports(): RunExports {
    if (this.merged !== undefined) return this.merged;
    const all = this.parts.map((p) => p.report.exports);
    const merge = (pick: (e: RunExports) => StatsExport | undefined): StatsExport | undefined => {
      const list = all.map(pick).filter((e): e is StatsExport => e !== undefined);
      return list.length === 0 ? undefined : list.reduce(mergeExports);
    };
    const main = merge((e) => e.main);
    if (main === undefined) throw new Error('a worker pool without workers');
    this.merged = { main, outOfCall: merge((e) => e.outOfCall), receive: merge((e) => e.receive) };
    return this.merged;
  }

  snapshot(): StatsSnapshot {
    this.mergedSnapshot ??= summarize(this.statsExports().main);
    const snap = this.mergedSnapshot;
    if (this.parts.every((p) => p.end !== undefined)) return snap;
    // Between reports the run's time goes on (the screens' rates divide by it).
    const now = performance.now();
    const elapsedMs = Math.max(...this.parts.map((p) => p.report.exports.main.counts.elapsedMs + (p.end === undefined ? now - p.at : 0)));
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

  /** Traces are refused with -workers (config.ts): nothing to look up again. */
  retrace(): void {
    return undefined;
  }

  trackWindows(): void {
    this.send({ type: 'track-windows' });
  }

  takeWindowExport(): HistogramExport[] {
    const windows = this.parts.map((p) => p.window).filter((w): w is HistogramExport[] => w !== undefined);
    for (const p of this.parts) p.window = undefined;
    const first = windows[0];
    if (first === undefined) return [];
    return first.map((h, i) => windows.slice(1).reduce((acc, w) => { const x = w[i]; return x === undefined ? acc : mergeHistograms(acc, x); }, h));
  }

  takeWindow(): HistogramSummary[] {
    return this.takeWindowExport().map(summarizeExport);
  }
}
