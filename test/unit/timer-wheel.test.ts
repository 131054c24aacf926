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

test('a node due in 3 minutes is read a few times, not once a lap (180 laps of the first level)', () => {
  // deadlineMs read through a getter: the wheel reads it where it walks a node.
  let reads = 0;
  const counted = (id: number): N => {
    let deadline = 0;
    return {
      id,
      get deadlineMs() {
        reads++;
        return deadline;
      },
      set deadlineMs(v: number) {
        deadline = v;
      },
      prev: undefined,
      next: undefined,
      armed: false,
      slot: 0,
    };
  };
  const fired: number[] = [];
  let now = 0;
  const w = new TimerWheel<N>(0, () => fired.push(now));
  for (let i = 0; i < 100; i++) w.schedule(counted(i), 180_000 + i);
  for (now = 0; now <= 181_000; now += 10) w.advance(now);
  assert.equal(fired.length, 100);
  for (const [i, at] of fired.entries()) assert.ok(at >= 180_000 + i && at < 180_010 + i, `fired at ${at}`);
  assert.ok(reads <= 100 * 3, `${reads} reads for 100 nodes`);
});

test('against a list of deadlines: random schedules, cancels and reschedules from callbacks, long jumps', () => {
  // A small linear-congruential generator: the same sequence on every run.
  let seed = 12345;
  const random = (): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  let now = 0;
  const nodes = Array.from({ length: 400 }, (_, i) => node(i));
  /** What the wheel should hold: node id → when it may fire at the earliest, and by when it must have. */
  const expected = new Map<number, { earliest: number; due: number }>();
  const problems: string[] = [];
  const w = new TimerWheel<N>(0, (n) => {
    const e = expected.get(n.id);
    if (e === undefined) problems.push(`${n.id} fired but was not armed`);
    else if (e.earliest > now) problems.push(`${n.id} fired at ${now}, due ${e.earliest}`);
    expected.delete(n.id);
    // Now and then a callback schedules again, some in the past, some beyond level 0.
    if (random() < 0.3) {
      const at = now + (random() < 0.5 ? -5 : random() * 3_000_000);
      w.schedule(n, at);
      // In the past: the tick after the one being walked, in this advance or by the end of the next.
      expected.set(n.id, at <= now ? { earliest: 0, due: Math.floor(now) + 1 } : { earliest: Math.ceil(at), due: Math.ceil(at) });
    }
  });
  const schedule = (n: N, at: number): void => {
    w.schedule(n, at);
    const due = Math.max(Math.ceil(at), Math.floor(now) + 1);
    expected.set(n.id, { earliest: due, due });
  };
  for (let step = 0; step < 20_000; step++) {
    const r = random();
    const n = nodes[Math.floor(random() * nodes.length)] as N;
    if (r < 0.4) schedule(n, now + random() * (random() < 0.8 ? 2_000 : 2_500_000));
    else if (r < 0.5) {
      w.cancel(n);
      expected.delete(n.id);
    } else {
      // Mostly small steps; now and then a jump of more than a lap of either level.
      now += random() < 0.995 ? random() * 30 : random() * 3_000_000;
      w.advance(now);
      for (const [id, e] of expected) if (e.due <= Math.floor(now)) problems.push(`${id} due ${e.due} not fired by ${now}`);
      for (const [id, e] of expected) if (e.due <= Math.floor(now)) expected.delete(id);
    }
    assert.equal(w.size, expected.size);
  }
  assert.deepEqual(problems.slice(0, 5), []);
});
