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
