import assert from 'node:assert/strict';
import { test } from 'node:test';
import { callsDue } from '../../src/load/rate.js';
import { Scheduler } from '../../src/load/scheduler.js';

test('calls due hold the rate with no drift', () => {
  assert.equal(callsDue(50, 1000, 0), 1);
  assert.equal(callsDue(50, 1000, 1000), 51);
  assert.equal(callsDue(3, 1000, 1000), 4);
  assert.equal(callsDue(5000, 1000, 10_000), 50_001);
  assert.equal(callsDue(0, 1000, 5000), 0);
});

test('scheduler in virtual time: rate, -m, and ticks of any size', () => {
  const s = new Scheduler({ rate: 200, periodMs: 1000, limit: 0, maxCalls: 1000, users: 0 }, 0);
  let started = 0;
  // Irregular ticks, as a busy event loop gives them.
  for (let t = 0; t <= 2000; t += 1 + (t % 7)) started += s.due(t, 0);
  assert.ok(Math.abs(started - 401) <= 1, `started ${started}`);
  for (let t = 2000; t <= 10_000; t += 3) started += s.due(t, 0);
  assert.equal(started, 1000, '-m caps the total');
  assert.ok(s.exhausted);
});

test('-l refuses starts beyond the cap and counts them, without a later burst', () => {
  const s = new Scheduler({ rate: 100, periodMs: 1000, limit: 10, maxCalls: 0, users: 0 }, 0);
  let open = 0;
  for (let t = 0; t <= 1000; t += 10) open += s.due(t, open);
  assert.equal(open, 10);
  assert.equal(s.refused, 91);
  // Open calls end: new starts come at the rate again, not all the refused ones at once.
  assert.ok(s.due(1010, 0) <= 2);
});

test('pause and rate change restart the arithmetic at the change', () => {
  const s = new Scheduler({ rate: 10, periodMs: 1000, limit: 0, maxCalls: 0, users: 0 }, 0);
  let n = s.due(1000, 0);
  assert.equal(n, 11);
  s.pause();
  assert.equal(s.due(5000, 0), 0);
  s.resume(5000);
  s.setRate(100, 5000);
  n = s.due(6000, 0);
  assert.equal(n, 101);
});

test('-users: n calls at once, and a new one as soon as one ends, up to -m', () => {
  const s = new Scheduler({ rate: 10, periodMs: 1000, limit: 0, maxCalls: 12, users: 5 }, 0);
  assert.equal(s.due(0, 0), 5);
  assert.equal(s.due(1, 5), 0, 'all users busy');
  assert.equal(s.due(2, 3), 2, 'two calls ended: their users start again');
  assert.equal(s.due(3, 0), 5);
  assert.equal(s.due(4, 0), 0, '-m reached');
  assert.equal(s.created, 12);
});

test('a machine that falls behind: up to a second of calls catch up, the rest are counted as not started', () => {
  const s = new Scheduler({ rate: 2000, periodMs: 1000, limit: 0, maxCalls: 0, users: 0 }, 0);
  // A 5-second stall: 10,001 calls are due (the first at 0); 2,000 (a second's worth) stay due, the rest are skipped.
  assert.equal(s.due(5000, 0), 500, 'at most 500 start in one turn');
  assert.equal(s.notStarted, 8001);
  let started = 500;
  for (let t = 5001; t <= 5004; t++) started += s.due(t, 0);
  assert.equal(started, 2000 + 8, 'the second of backlog, and the 8 calls due since');
  assert.equal(s.notStarted, 8001, 'nothing more is skipped once it keeps up');
  // With -m the skipped starts are not lost: the run still makes its calls.
  const m = new Scheduler({ rate: 2000, periodMs: 1000, limit: 0, maxCalls: 3000, users: 0 }, 0);
  let made = m.due(5000, 0);
  for (let t = 5001; t < 7000 && !m.exhausted; t++) made += m.due(t, 0);
  assert.equal(made, 3000);
  assert.ok(m.notStarted > 0);
});

test('-rate_increase ramp in virtual time: +10 every interval, capped at -rate_max, then quit (or not, -no_rate_quit)', () => {
  const ramp = { increase: 10, intervalMs: 1000, max: 30, quitAtMax: true };
  const s = new Scheduler({ rate: 10, periodMs: 1000, limit: 0, maxCalls: 0, users: 0, ramp }, 0);
  const seen: [number, string | undefined, number][] = [];
  let started = 0;
  for (let t = 0; t <= 3500; t += 10) {
    const r = s.stepRamp(t);
    if (r !== undefined) seen.push([t, r, s.currentRate]);
    started += s.due(t, 0);
  }
  // SIPp's ratetask: the rate passes 30 only by being capped, and that is when the run stops.
  assert.deepEqual(seen, [
    [1000, 'changed', 20],
    [2000, 'changed', 30],
    [3000, 'quit', 30],
  ]);
  // 10 + 20 + 30 calls in the three seconds, then 30 a second from 3000 ms to 3500 ms inclusive: 16.
  assert.equal(started, 10 + 20 + 30 + 16);
  const keep = new Scheduler({ rate: 10, periodMs: 1000, limit: 0, maxCalls: 0, users: 0, ramp: { ...ramp, quitAtMax: false } }, 0);
  const kept: (string | undefined)[] = [];
  for (let t = 0; t <= 5000; t += 100) kept.push(keep.stepRamp(t));
  assert.deepEqual(
    kept.filter((r) => r !== undefined),
    ['changed', 'changed', 'changed', 'changed', 'changed'],
  );
  assert.equal(keep.currentRate, 30);
});
