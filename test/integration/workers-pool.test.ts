/**
 * The main thread's end of -workers (workers/pool.ts) over real worker threads: the merged percentiles are those
 * of one histogram holding every worker's values, counts add, and control reaches every worker with its share.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newHistogram, summarizeLive } from '../../src/stats/histogram.js';
import { startPool } from '../../src/workers/pool.js';
import type { FakeWorkerData } from './workers-fake-worker.js';

/** Worker k's response times: three different spreads, so no worker's percentiles are the run's. */
const rttOf = (k: number): number[] =>
  Array.from({ length: 1000 + 500 * k }, (_v, i) => (k === 0 ? 1 + (i % 50) : k === 1 ? 20 + ((i * 7) % 300) : 2.5 + i * 0.9));

test(
  '3 worker threads: merged percentiles equal one histogram of every value; counts add; rate, users and stop reach each worker',
  { timeout: 30_000 },
  async (t) => {
    const { control, localPorts } = await startPool({
      entry: new URL('./workers-fake-worker.js', import.meta.url),
      parts: 3,
      drainMs: 1234,
      log: () => undefined,
      data: (share): FakeWorkerData => ({ share, rttMs: rttOf(share.index) }),
    });
    t.after(() => {
      control.stopNow();
    });
    assert.deepEqual(localPorts, [5000, 5001, 5002]);
    const all = newHistogram();
    for (const k of [0, 1, 2]) for (const ms of rttOf(k)) all.recordValue(Math.round(ms * 1000));
    const one = summarizeLive(all);
    const snap = control.snapshot();
    assert.equal(snap.counters.CallsCreated, 1000 + 1500 + 2000);
    assert.deepEqual(snap.rtd[0]?.summary, one);
    // The control messages, and the status read back at once (before the workers' next report).
    control.setRate(30);
    control.setUsers(7);
    assert.equal(control.status().rate, 30, "every worker holds the run's rate and starts its stripe");
    assert.equal(control.status().users, 7);
    assert.equal(control.stopGracefully(), 1234);
    assert.equal(await control.done, 'stopped');
    // The last reports, after the stop: each worker's own share of the users, as it set it.
    assert.equal(control.status().users, 7);
    assert.equal(control.status().rate, 30);
    assert.deepEqual(control.snapshot().rtd[0]?.summary, one);
  },
);

test(
  'a worker whose run is over before the others have started is not lost: the pool ends when the last one does',
  { timeout: 30_000 },
  async () => {
    const { control } = await startPool({
      entry: new URL('./workers-fake-worker.js', import.meta.url),
      parts: 3,
      drainMs: 0,
      log: () => undefined,
      data: (share): FakeWorkerData => ({
        share,
        rttMs: [share.index + 1],
        endsAtOnce: share.index === 0,
        readyAfterMs: share.index === 2 ? 500 : 0,
      }),
    });
    assert.equal(control.snapshot().counters.CallsCreated, 3, "every worker's figures, the finished one's too");
    control.stopNow();
    // Worker 0 ended gracefully ('stopped') before worker 2 said ready; the others are stopped now ('aborted').
    assert.equal(await control.done, 'aborted');
  },
);
