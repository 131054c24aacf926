/**
 * A worker for workers-pool.test.ts: instead of an engine, statistics holding the response times it is given,
 * served to the pool by the real worker end (workers/serve.ts), so the test sees what crosses the threads.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { EndReason, LoadStatus, RunControl, RunExports } from '../../src/engine/run-control.js';
import { Counter, Stats, type HistogramSummary, type StatsSnapshot } from '../../src/stats/stats.js';
import type { HistogramExport } from '../../src/stats/histogram.js';
import { serveRun } from '../../src/workers/serve.js';
import { TraceForward } from '../../src/workers/trace-forward.js';
import type { Share } from '../../src/load/share.js';

export interface FakeWorkerData {
  readonly share: Share;
  readonly rttMs: readonly number[];
  /** Says ready only after this long (a slow thread). */
  readonly readyAfterMs?: number;
  /** Its run is over as soon as it has started (a share of -m done at once). */
  readonly endsAtOnce?: boolean;
}

class FakeRun implements RunControl {
  readonly done: Promise<EndReason>;
  readonly stoppedByCommand = false;
  private end: (r: EndReason) => void = () => undefined;
  private readonly stats = new Stats(1, ['1'], 0);
  private load: LoadStatus = { rate: 10, limit: 0, users: 0, userMode: false, paused: false };

  constructor(rttMs: readonly number[]) {
    this.done = new Promise((r) => {
      this.end = r;
    });
    for (const ms of rttMs) {
      this.stats.count(Counter.CallsCreated);
      this.stats.recordRtd(0, ms);
    }
  }

  status(): LoadStatus {
    return this.load;
  }
  behindScheduleMs(): number {
    return 0;
  }
  setRate(rate: number): void {
    this.load = { ...this.load, rate };
  }
  setUsers(users: number): void {
    this.load = { ...this.load, users };
  }
  setLimit(limit: number): void {
    this.load = { ...this.load, limit };
  }
  pause(): void {
    this.load = { ...this.load, paused: true };
  }
  resume(): void {
    this.load = { ...this.load, paused: false };
  }
  stopGracefully(): number {
    this.end('stopped');
    return 0;
  }
  stopNow(): void {
    this.end('aborted');
  }
  resetStats(): void {
    return undefined;
  }
  describeCalls(): string[] {
    return [];
  }
  globalValues(): [string, string][] {
    return [];
  }
  snapshot(): StatsSnapshot {
    return this.stats.snapshot(1000);
  }
  outOfCallSnapshot(): StatsSnapshot | undefined {
    return undefined;
  }
  receiveSnapshot(): StatsSnapshot | undefined {
    return undefined;
  }
  retrace(): void {
    return undefined;
  }
  trackWindows(): void {
    this.stats.trackWindows();
  }
  takeWindow(): HistogramSummary[] {
    return this.stats.takeWindow();
  }
  statsExports(): RunExports {
    return { main: this.stats.export(1000), outOfCall: undefined, receive: undefined };
  }
  takeWindowExport(): HistogramExport[] {
    return this.stats.takeWindowExport();
  }
}

const data = workerData as FakeWorkerData;
const port = parentPort;
if (port !== null) {
  setTimeout(() => {
    const run = new FakeRun(data.rttMs);
    serveRun(run, 5000 + data.share.index, port, new TraceForward(() => undefined, []));
    if (data.endsAtOnce === true) run.stopGracefully();
  }, data.readyAfterMs ?? 0);
}
