/** The split of a run over -workers (load/share.ts) against hand-computed shares, and the schedulers' stripes against one scheduler. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { shareOf, splitCount, stripeItem } from '../../src/load/share.js';
import { Scheduler } from '../../src/load/scheduler.js';
import { chooseWorkers } from '../../src/cli/workers-option.js';

test('counts split exactly, the first parts taking the remainder: -m 2001 over 2 is 1001 + 1000', () => {
  assert.deepEqual(splitCount(2001, 2), [1001, 1000]);
  assert.deepEqual(splitCount(10, 3), [4, 3, 3]);
  assert.deepEqual(splitCount(7, 4), [2, 2, 2, 1]);
  assert.deepEqual(splitCount(2, 3), [1, 1, 0]);
  assert.deepEqual(splitCount(0, 3), [0, 0, 0]);
  assert.deepEqual(splitCount(5, 1), [5]);
  // Every total over every split adds up.
  for (let parts = 1; parts <= 9; parts++) {
    for (let total = 0; total <= 200; total++)
      assert.equal(
        splitCount(total, parts).reduce((a, b) => a + b, 0),
        total,
        `${total} over ${parts}`,
      );
  }
  assert.equal(shareOf(2001, { index: 1, of: 2 }), 1000);
  // Worker 1 of 3 numbers its calls (and users) 2, 5, 8 …
  assert.deepEqual(
    [0, 1, 2].map((n) => stripeItem(n, { index: 1, of: 3 }) + 1),
    [2, 5, 8],
  );
});

test("-r 10 over 3 schedulers: each starts its stripe of the arrivals (4 + 3 + 3 in the first 900 ms), adding up to one scheduler's at every tick", () => {
  const whole = new Scheduler({ rate: 10, periodMs: 1000, limit: 0, maxCalls: 0, users: 0 }, 0);
  const parts = [0, 1, 2].map(
    (index) => new Scheduler({ rate: 10, periodMs: 1000, limit: 0, maxCalls: 0, users: 0, share: { index, of: 3 } }, 0),
  );
  const started = [0, 0, 0];
  let all = 0;
  for (let t = 0; t <= 10_000; t += 7) {
    all += whole.due(t, 0);
    parts.forEach((p, i) => {
      started[i] = (started[i] ?? 0) + p.due(t, 0);
    });
    assert.equal(
      started.reduce((a, b) => a + b, 0),
      all,
      `at ${t} ms`,
    );
    // Calls 1, 4, 7 … of the run are worker 0's: it is never more than one call ahead of the others.
    assert.ok(Math.max(...started) - Math.min(...started) <= 1, `at ${t} ms: ${started.join(', ')}`);
    if (t === 903) assert.deepEqual(started, [4, 3, 3], 'calls 1..10 at 0, 100 … 900 ms');
  }
  assert.equal(all, 100, 'the last tick at 9996 ms: ⌊10 × 9.996⌋ + 1');
  // A rate change goes to every part (the pool sends the run's rate): still exact.
  for (const s of [whole, ...parts]) s.setRate(25, 10_001);
  let after = 0;
  let wholeAfter = 0;
  for (let t = 10_001; t <= 12_001; t += 5) {
    wholeAfter += whole.due(t, 0);
    for (const p of parts) after += p.due(t, 0);
  }
  assert.equal(after, wholeAfter);
  assert.equal(wholeAfter, 51);
});

test('-m over the schedulers of 2 workers: 1001 and 1000 calls, then exhausted', () => {
  const parts = [0, 1].map(
    (index) =>
      new Scheduler(
        { rate: 1000, periodMs: 1000, limit: 0, maxCalls: shareOf(2001, { index, of: 2 }), users: 0, share: { index, of: 2 } },
        0,
      ),
  );
  const made = parts.map((p) => {
    let n = 0;
    for (let t = 0; t <= 5000; t += 10) n += p.due(t, 0);
    return n;
  });
  assert.deepEqual(made, [1001, 1000]);
  assert.ok(parts.every((p) => p.exhausted));
});

test('-workers: auto is the cores but one (at least 1); shares of 0 narrow the split', () => {
  const none = { maxCalls: 0, users: 0, limit: 0 };
  assert.equal(chooseWorkers('auto', none, 8).workers, 7);
  assert.equal(chooseWorkers('auto', none, 1).workers, 1);
  assert.equal(chooseWorkers('4', none, 2).workers, 4);
  assert.equal(chooseWorkers(undefined, none, 8).workers, 1);
  assert.match(chooseWorkers('0', none, 8).problems[0] ?? '', /-workers 0: expected a number of worker threads from 1 to 1024, or auto/);
  assert.match(chooseWorkers('two', none, 8).problems[0] ?? '', /-workers two/);
  const few = chooseWorkers('4', { ...none, maxCalls: 3 }, 8);
  assert.equal(few.workers, 3);
  assert.match(few.warnings[0] ?? '', /-workers 4 with -m 3: 3 workers/);
  assert.equal(chooseWorkers('4', { ...none, users: 2, limit: 1 }, 8).workers, 1);
});

test("-workers, answering: -m is the whole run's; workers sharing a count take exactly -m incoming calls between them, then all are exhausted", () => {
  const shared = new Int32Array(new SharedArrayBuffer(4));
  const parts = [0, 1, 2].map(() => new Scheduler({ rate: 0, periodMs: 1000, limit: 0, maxCalls: 5, users: 0, sharedCreated: shared }, 0));
  // Calls arrive unevenly (by Call-ID hash): 4 at part 0, then 1 each at the others; the 6th is refused.
  const taken = [0, 0, 0, 0, 1, 2].map((k) => parts[k]?.takeIncoming());
  assert.deepEqual(taken, [true, true, true, true, true, false]);
  assert.equal(Atomics.load(shared, 0), 5);
  assert.ok(parts.every((p) => p.exhausted));
  assert.deepEqual(
    parts.map((p) => p.created),
    [4, 1, 0],
  );
  // Without a shared count, each takes its own -m.
  const alone = new Scheduler({ rate: 0, periodMs: 1000, limit: 0, maxCalls: 1, users: 0 }, 0);
  assert.equal(alone.takeIncoming(), true);
  assert.equal(alone.exhausted, true);
});
