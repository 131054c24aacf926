// The media pacer in virtual time: rates, phase spread and send lateness, each worked out by hand.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Pacer, phaseFraction } from '../../src/media/pacer.js';

test('phases: the bit-reversed count of streams added (van der Corput)', () => {
  // k = 0, 1, 2, 3, 4, 5 -> 0, 1/2, 1/4, 3/4, 1/8, 5/8.
  assert.deepEqual([0, 1, 2, 3, 4, 5].map(phaseFraction), [0, 0.5, 0.25, 0.75, 0.125, 0.625]);
  const sends: [number, number][] = [];
  let now = 0;
  const p = new Pacer({ now: () => now, send: (id, due) => sends.push([id, due]) });
  for (let k = 0; k < 4; k++) p.add(20, 0);
  // Streams 0..3 first due at 0, 10, 5, 15 ms; then every 20 ms.
  assert.deepEqual(
    [0, 1, 2, 3].map((id) => p.nextDue(id)),
    [0, 10, 5, 15],
  );
  for (now = 0; now <= 40; now++) p.tick();
  assert.deepEqual(sends, [
    [0, 0],
    [2, 5],
    [1, 10],
    [3, 15],
    [0, 20],
    [2, 25],
    [1, 30],
    [3, 35],
    [0, 40],
  ]);
});

test('1,000 streams at 20 ms send exactly 50 packets a second each over 10 virtual seconds, phases spread', () => {
  let now = 0;
  const n = 1000;
  const perStream = new Float64Array(n);
  // Packets per stream per virtual second.
  const perSecond = new Float64Array(n * 10);
  let last = -Infinity;
  let outOfOrder = 0;
  const p = new Pacer({
    now: () => now,
    capacity: 16,
    send: (id, due) => {
      perStream[id] = (perStream[id] ?? 0) + 1;
      const s = Math.floor(due / 1000);
      perSecond[id * 10 + s] = (perSecond[id * 10 + s] ?? 0) + 1;
      if (due < last) outOfOrder++;
      last = due;
    },
  });
  // All started in the same millisecond (the arrays grow from 16 as they go).
  for (let k = 0; k < n; k++) p.add(20, 0);
  let maxPerTick = 0;
  for (let t = 0; t < 10_000; t++) {
    now = t;
    maxPerTick = Math.max(maxPerTick, p.tick());
  }
  // Every due time before 10,000 ms: the last tick just under it.
  now = 9999.999;
  p.tick();
  assert.equal(outOfOrder, 0, 'packets went out in due order');
  assert.equal(p.packetsSent, n * 500);
  for (let id = 0; id < n; id++) {
    assert.equal(perStream[id], 500, `stream ${id}`);
    for (let s = 0; s < 10; s++) assert.equal(perSecond[id * 10 + s], 50, `stream ${id} second ${s}`);
  }
  // Phase k/1024 of 20 ms for k < 1024 (bit reversal permutes 0..1023): the 1,000 first packets sit on points
  // 20/1024 = 0.01953125 ms apart. A tick at 1-ms steps sends the points of one 1-ms window, which holds at
  // most ceil(1 / 0.01953125) = ceil(51.2) = 52 of them; 1000 / 20 = 50 is the least any spreading could do.
  assert.ok(maxPerTick <= 52, `at most 52 packets in one 1-ms tick, saw ${maxPerTick}`);
  assert.ok(maxPerTick >= 50);
  // Every tick at whole ms sends what fell due in the previous ms: lateness under 1 ms.
  const late = p.latenessSummary();
  assert.equal(late.count, n * 500);
  assert.ok(late.maxMs < 1, `max lateness ${late.maxMs}`);
});

test('lateness is recorded when the clock jumps; the stream catches up in due order without drifting', () => {
  let now = 0;
  const sends: [number, number][] = [];
  const p = new Pacer({ now: () => now, send: (_id, due, at) => sends.push([due, at]) });
  const id = p.add(20, 0);
  p.tick();
  now = 105;
  assert.equal(p.tick(), 5);
  // Due 0 sent at 0; then dues 20, 40, 60, 80, 100 all sent at 105: late by 85, 65, 45, 25, 5 ms.
  assert.deepEqual(sends, [
    [0, 0],
    [20, 105],
    [40, 105],
    [60, 105],
    [80, 105],
    [100, 105],
  ]);
  assert.equal(p.nextDue(id), 120);
  const late = p.latenessSummary();
  assert.equal(late.count, 6);
  assert.equal(late.maxMs, 85);
  // (0 + 85 + 65 + 45 + 25 + 5) / 6 = 225 / 6 = 37.5.
  assert.equal(late.meanMs, 37.5);
  // Six values: 0 (recorded as 1 us), 5, 25, 45, 65, 85 ms. The 50th percentile is the third, 25 ms, and the
  // 99th the largest, 85 ms, each within the histogram's 3 significant digits.
  assert.ok(Math.abs(late.p50Ms - 25) <= 0.025, `p50 ${late.p50Ms}`);
  assert.ok(Math.abs(late.p99Ms - 85) <= 0.085, `p99 ${late.p99Ms}`);
});

test('remove() stops a stream, even from inside its send; ids are reused; a bad interval is refused', () => {
  let now = 0;
  const sent: number[] = [];
  const p = new Pacer({
    now: () => now,
    send: (id) => {
      sent.push(id);
      if (id === 1 && sent.filter((x) => x === 1).length === 2) p.remove(1);
    },
  });
  const a = p.add(10, 0); // phase 0: due 0, 10, 20 ...
  const b = p.add(10, 0); // phase 1/2: due 5, 15 (removed there), ...
  const c = p.add(10, 0); // phase 1/4: due 2.5, 12.5, 22.5 ...
  assert.deepEqual([a, b, c], [0, 1, 2]);
  for (now = 0; now <= 20; now++) p.tick();
  // 0 at 0, 2 at 2.5, 1 at 5, 0 at 10, 2 at 12.5, 1 at 15 (then removed), 0 at 20.
  assert.deepEqual(sent, [0, 2, 1, 0, 2, 1, 0]);
  assert.equal(p.streams, 2);
  assert.ok(Number.isNaN(p.nextDue(1)));
  p.remove(c);
  p.remove(c);
  assert.equal(p.streams, 1);
  // Freed ids come back last freed first; the 4th stream added gets phase 3/4.
  assert.equal(p.add(10, 100), 2);
  assert.equal(p.nextDue(2), 107.5);
  assert.throws(() => p.add(0), /above 0 ms/);
});

test('the real-time loop sends with one timer and stops', async () => {
  let count = 0;
  const p = new Pacer({
    send: () => {
      count++;
    },
  });
  for (let k = 0; k < 8; k++) p.add(5);
  const started = performance.now();
  p.start();
  // 8 streams every 5 ms: 80 packets in about 50 ms.
  while (count < 80) await new Promise((r) => setTimeout(r, 5));
  p.stop();
  const elapsed = performance.now() - started;
  const after = count;
  await new Promise((r) => setTimeout(r, 30));
  assert.equal(count, after, 'no packet after stop()');
  // Due order keeps the pace: 80 packets cannot all go before their due times (the last is due after 45 ms).
  assert.ok(elapsed >= 45, `80 packets took ${elapsed} ms`);
});

test('random adds, removes and clock steps: the sends are every due time in (due, id) order, as a naive list says', () => {
  // A plain oracle: each stream's due times start + phase * interval + m * interval, up to the last tick before
  // its removal, all sorted by due time then id. Intervals and starts are whole ms and phases k / 65536, so
  // every due time is exact in binary and the pacer's running sums match the oracle's products.
  let seed = 2024;
  const rand = (n: number): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return (seed >>> 8) % n;
  };
  let now = 0;
  const sent: [number, number][] = [];
  const p = new Pacer({ now: () => now, send: (id, due) => sent.push([id, due]) });
  interface Life {
    id: number;
    first: number;
    interval: number;
    until: number;
  }
  const lives: Life[] = [];
  const live = new Map<number, Life>();
  let added = 0;
  for (let step = 0; step < 3000; step++) {
    const action = rand(10);
    if (action < 2) {
      const interval = 1 + rand(40);
      const start = now + rand(30);
      const id = p.add(interval, start);
      const life = { id, first: start + phaseFraction(added++) * interval, interval, until: Infinity };
      lives.push(life);
      live.set(id, life);
    } else if (action === 2 && live.size > 0) {
      const ids = [...live.keys()];
      const id = ids[rand(ids.length)] ?? 0;
      const life = live.get(id);
      if (life !== undefined) life.until = now;
      live.delete(id);
      p.remove(id);
    } else {
      now += rand(7);
      p.tick();
    }
  }
  const expected: [number, number][] = [];
  for (const life of lives) {
    for (let due = life.first; due <= Math.min(life.until, now); due += life.interval) expected.push([life.id, due]);
  }
  expected.sort((a, b) => a[1] - b[1] || a[0] - b[0]);
  assert.ok(expected.length > 1000, `a real workout: ${expected.length} sends`);
  assert.deepEqual(sent, expected);
});

test('after a stall longer than maxLateMs a stream skips what fell due before now - maxLateMs, and counts it', () => {
  let now = 0;
  const dues: number[] = [];
  const p = new Pacer({ now: () => now, maxLateMs: 1000, send: (_id, due) => dues.push(due) });
  p.add(20, 0);
  p.tick();
  now = 5000;
  // Due 20 is 4,980 ms late: skip ceil((5000 - 1000 - 20) / 20) = 199 intervals, to due 4,000 (1,000 ms late,
  // the most allowed); then 4,000, 4,020, ..., 5,000 go out: 51 packets.
  assert.equal(p.tick(), 51);
  assert.equal(p.packetsSkipped, 199);
  assert.equal(dues[1], 4000);
  assert.equal(dues.at(-1), 5000);
  assert.equal(p.latenessSummary().maxMs, 1000);
  // 1 + 199 + 51 = 251 = every 20 ms from 0 to 5,000: nothing lost from the schedule's count.
  assert.equal(p.packetsSent + p.packetsSkipped, 251);
});
