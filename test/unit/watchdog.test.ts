import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Watchdog } from '../../src/engine/watchdog.js';

const o = { intervalMs: 400, resetMs: 10_000, minorMs: 500, majorMs: 3000, minorMax: 2, majorMax: 1 };

test("watchdog in virtual time: a late run is a minor or major trip; past the allowance the run fails (SIPp's watchdog.cpp)", () => {
  const w = new Watchdog(o, 0);
  assert.deepEqual(w.check(400), [], 'on time');
  assert.deepEqual(
    w.check(1000).map((e) => [e.kind, 'major' in e ? e.major : '']),
    [['trip', false]],
    '600 ms after the last run: minor',
  );
  assert.match(
    w.check(4100)[0]?.text ?? '',
    /^Overload warning: the major watchdog timer 3000ms has been tripped \(3100\), 0 trips remaining\.$/,
  );
  const fail = w.check(7200);
  assert.deepEqual(
    fail.map((e) => e.kind),
    ['trip', 'fail'],
  );
  assert.match(
    fail[1]?.text ?? '',
    /tripped the major threshold of 3000ms too many times \(2 out of 1 allowed\) \(1 out of 2 minor 500ms timeouts tripped\)/,
  );
});

test('watchdog: a quiet spell of -watchdog_reset forgets the trips', () => {
  const w = new Watchdog(o, 0);
  w.check(600);
  w.check(1200);
  // On time from then on; the last trip was at 1200, so the run at 11600 is the first past 1200 + 10000.
  for (let t = 1600; t <= 11_200; t += 400) assert.deepEqual(w.check(t), []);
  assert.deepEqual(
    w.check(11_600).map((e) => e.kind),
    ['reset'],
  );
  // Two more minor trips are again allowed before a third fails.
  assert.deepEqual(
    [w.check(12_200), w.check(12_800)].flat().map((e) => e.kind),
    ['trip', 'trip'],
  );
  assert.deepEqual(
    w.check(13_400).map((e) => e.kind),
    ['trip', 'fail'],
  );
});
