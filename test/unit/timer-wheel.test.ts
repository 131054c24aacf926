import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TimerWheel, type TimerNode } from '../../src/engine/timer-wheel.js';

interface N extends TimerNode {
  id: number;
}
const node = (id: number): N => ({ id, deadlineMs: 0, prev: undefined, next: undefined, armed: false, slot: 0 });

test('fires in virtual time, never early, across laps of the wheel', () => {
  const fired: [number, number][] = [];
  let now = 0;
  const w = new TimerWheel<N>(0, (n) => fired.push([n.id, now]));
  const deadlines = [0.5, 3, 3, 1023, 1024, 1025, 5000, 70_000];
  deadlines.forEach((d, i) => w.schedule(node(i), d));
  for (now = 0; now <= 80_000; now += 7) w.advance(now);
  assert.equal(fired.length, deadlines.length);
  for (const [id, at] of fired) {
    const d = deadlines[id] ?? 0;
    assert.ok(at >= d && at < d + 8, `timer ${id} due ${d} fired at ${at}`);
  }
  assert.equal(w.size, 0);
});

test('cancel and reschedule from inside a callback', () => {
  const a = node(1);
  const b = node(2);
  const c = node(3);
  const fired: number[] = [];
  const w = new TimerWheel<N>(0, (n) => {
    fired.push(n.id);
    if (n === a) {
      w.cancel(b);
      w.schedule(a, 50);
    }
  });
  // All three in the same slot: a's callback cancels b, which the slot walk was about to visit.
  w.schedule(c, 10);
  w.schedule(b, 10);
  w.schedule(a, 10);
  w.advance(10);
  assert.deepEqual(fired.sort(), [1, 3]);
  w.advance(49);
  assert.deepEqual(fired.sort(), [1, 3]);
  w.advance(50);
  assert.deepEqual(fired.sort(), [1, 1, 3]);
});

test('a deadline in the past fires on the next advance', () => {
  const fired: number[] = [];
  const w = new TimerWheel<N>(100, (n) => fired.push(n.id));
  w.advance(200);
  w.schedule(node(7), 150);
  w.advance(201);
  assert.deepEqual(fired, [7]);
});
