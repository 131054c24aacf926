/**
 * The saturation watch's threshold logic with readings given by hand, the /proc readers on text written here,
 * and the scheduler's lateness in virtual time. Every expected value is computed in the comments.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dropCounter, parseProcNetUdp, parseRcvbufErrors, parseThreadCpuMs, type ProcFiles } from '../../src/cli/proc-net.js';
import { watchSaturation, type SaturationProbes } from '../../src/cli/saturation-probe.js';
import type { SaturationKind } from '../../src/stats/saturation.js';
import { Scheduler } from '../../src/load/scheduler.js';
import { formatSaturation, saturationAlert, saturationMeaning } from '../../src/report/saturation.js';
import { DEFAULT_SATURATION_THRESHOLDS, mergeSaturation, SaturationWatch, type SaturationSample } from '../../src/stats/saturation.js';

/** Second n of a run (window (n-1) s .. n s) with quiet readings, unless `over` says otherwise. */
const second = (n: number, over: Partial<SaturationSample> = {}): SaturationSample => ({
  atMs: n * 1000,
  windowMs: 1000,
  loopDelayP99Ms: 1,
  behindMs: 0,
  cpuMs: 100,
  drops: 0,
  ...over,
});

test('defaults: event loop 50 ms for 2 s, behind 100 ms for 2 s, one drop at once, 95 % CPU for 3 s', () => {
  assert.deepEqual(DEFAULT_SATURATION_THRESHOLDS, {
    'event-loop-delay': { limit: 50, samples: 2 },
    'behind-schedule': { limit: 100, samples: 2 },
    'receive-drops': { limit: 1, samples: 1 },
    cpu: { limit: 95, samples: 3 },
  });
});

test('a quiet run is not saturated; peaks are still kept', () => {
  const w = new SaturationWatch('sockets');
  for (let n = 1; n <= 10; n++)
    assert.deepEqual(w.sample(second(n, { loopDelayP99Ms: n === 5 ? 49 : 2, behindMs: n === 6 ? 99 : 0, cpuMs: 940 })), []);
  const r = w.report();
  assert.equal(r.saturated, false);
  assert.deepEqual(r.what, []);
  assert.equal(r.sinceMs, undefined);
  assert.equal(r.signals['event-loop-delay'].peak, 49);
  assert.equal(r.signals['behind-schedule'].peak, 99);
  assert.equal(r.signals.cpu.peak, 94); // 940 ms of CPU in 1000 ms
  assert.deepEqual(r.receiveDrops, { count: 0, scope: 'sockets' });
});

test('one bad second is not a crossing; two in a row are, from the start of the first', () => {
  const w = new SaturationWatch('sockets');
  assert.deepEqual(w.sample(second(1, { loopDelayP99Ms: 300 })), []); // a GC pause: one second only
  assert.deepEqual(w.sample(second(2)), []);
  assert.deepEqual(w.sample(second(3, { loopDelayP99Ms: 60 })), []);
  assert.deepEqual(w.sample(second(4, { loopDelayP99Ms: 50 })), ['event-loop-delay']); // 50 is at the limit: it counts
  // Recorded once: later bad seconds cross nothing new.
  assert.deepEqual(w.sample(second(5, { loopDelayP99Ms: 80 })), []);
  const r = w.report();
  assert.equal(r.saturated, true);
  assert.deepEqual(r.what, ['event-loop-delay']);
  assert.equal(r.sinceMs, 2000); // second 3's window began at 2 s
  assert.equal(r.signals['event-loop-delay'].peak, 300);
});

test('CPU: 95 % of one core for three seconds in a row, from the window lengths given', () => {
  const w = new SaturationWatch('sockets');
  // 1900 ms of CPU in a 2000 ms window (a late timer) is 95 %: it counts.
  assert.deepEqual(w.sample({ ...second(2), windowMs: 2000, cpuMs: 1900 }), []);
  assert.deepEqual(w.sample(second(3, { cpuMs: 990 })), []);
  assert.deepEqual(w.sample(second(4, { cpuMs: 940 })), []); // 94 %: the streak ends
  assert.deepEqual(w.sample(second(5, { cpuMs: 1000 })), []);
  assert.deepEqual(w.sample(second(6, { cpuMs: 960 })), []);
  assert.deepEqual(w.sample(second(7, { cpuMs: 1000 })), ['cpu']);
  assert.equal(w.report().signals.cpu.sinceMs, 4000);
  assert.equal(w.report().signals.cpu.peak, 100);
});

test('drops: the first new one crosses at once; the count is the total, the peak the most in one second', () => {
  const w = new SaturationWatch('sockets');
  assert.deepEqual(w.sample(second(1, { drops: 0 })), []);
  assert.deepEqual(w.sample(second(2, { drops: 7 })), ['receive-drops']);
  assert.deepEqual(w.sample(second(3, { drops: 10 })), []);
  const r = w.report();
  assert.equal(r.signals['receive-drops'].sinceMs, 1000);
  assert.equal(r.signals['receive-drops'].peak, 7);
  assert.deepEqual(r.receiveDrops, { count: 10, scope: 'sockets' });
});

test('several crossings: what lists them earliest first, sinceMs is the earliest', () => {
  const w = new SaturationWatch('system');
  w.sample(second(1, { behindMs: 150 }));
  assert.deepEqual(w.sample(second(2, { behindMs: 400, drops: 3 })), ['behind-schedule', 'receive-drops']);
  w.sample(second(3, { loopDelayP99Ms: 90 }));
  assert.deepEqual(w.sample(second(4, { loopDelayP99Ms: 70 })), ['event-loop-delay']);
  const r = w.report();
  assert.deepEqual(r.what, ['behind-schedule', 'receive-drops', 'event-loop-delay']); // since 0, 1000, 2000
  assert.equal(r.sinceMs, 0);
  assert.match(
    saturationAlert(r) ?? '',
    /^SATURATED: sipts 400 ms behind the call rate's schedule; 3 datagrams dropped by the kernel, receive buffers full \(system-wide count[^)]*\); sipts's event loop 90 ms late \(p99\) since 0\.0 s: figures measure sipts, not the server; try -workers$/,
  );
  assert.match(formatSaturation(r), /^SATURATED from 0\.0 s on: from then on the figures measure sipts, not the server; try -workers/);
});

test('a figure the platform cannot give (undefined) never crosses and breaks a streak', () => {
  const w = new SaturationWatch('unavailable');
  w.sample(second(1, { cpuMs: 1000 }));
  w.sample(second(2, { cpuMs: 1000 }));
  w.sample(second(3, { cpuMs: undefined, drops: undefined, loopDelayP99Ms: undefined }));
  assert.deepEqual(w.sample(second(4, { cpuMs: 1000 })), []);
  assert.equal(w.report().saturated, false);
  assert.equal(saturationAlert(w.report()), undefined);
});

test("merging two threads' reports: OR of crossings, the earlier start, the higher peak, socket drops added", () => {
  const a = new SaturationWatch('sockets');
  a.sample(second(3, { behindMs: 200, drops: 4 }));
  a.sample(second(4, { behindMs: 300, drops: 4 }));
  const b = new SaturationWatch('sockets');
  b.sample(second(1, { behindMs: 500, drops: 2 }));
  b.sample(second(2, { behindMs: 120, drops: 2 }));
  b.sample(second(3, { cpuMs: 999 }));
  const m = mergeSaturation(a.report(), b.report());
  assert.equal(m.saturated, true);
  assert.deepEqual(m.what, ['behind-schedule', 'receive-drops']);
  assert.equal(m.signals['behind-schedule'].sinceMs, 0); // b's, from 0 s; a's from 2 s
  assert.equal(m.signals['behind-schedule'].peak, 500);
  assert.equal(m.signals['receive-drops'].sinceMs, 0);
  assert.equal(m.signals.cpu.crossed, false);
  assert.equal(m.signals.cpu.peak, 99.9);
  assert.deepEqual(m.receiveDrops, { count: 6, scope: 'sockets' });
  // A system-wide count is the same counter seen by both: the larger, not the sum.
  const s1 = new SaturationWatch('system');
  s1.sample(second(1, { drops: 5 }));
  const s2 = new SaturationWatch('system');
  s2.sample(second(1, { drops: 9 }));
  assert.deepEqual(mergeSaturation(s1.report(), s2.report()).receiveDrops, { count: 9, scope: 'system' });
  // Merging with a quiet report changes nothing.
  assert.deepEqual(mergeSaturation(a.report(), new SaturationWatch('sockets').report()), a.report());
});

const UDP = `   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops
 6369: 0100007F:E907 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 1010498 2 00000000017cc4ca 12
 6370: 0100007F:E908 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 1010499 2 00000000017cc4cb 5
`;
const UDP6 = `  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops
 1234: 00000000000000000000000001000000:E907 00000000000000000000000000000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 2020 2 0000000000000000 3
`;
const SNMP = `Ip: Forwarding DefaultTTL
Ip: 1 64
Udp: InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors SndbufErrors InCsumErrors IgnoredMulti MemErrors
Udp: 25415192 192221 11537850 37278787 11537850 0 0 0 0
UdpLite: InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors SndbufErrors InCsumErrors IgnoredMulti MemErrors
UdpLite: 0 0 0 0 0 0 0 0 0
`;

test('/proc/net/udp rows: local port from the hex address, inode and drops columns', () => {
  assert.deepEqual(parseProcNetUdp(UDP), [
    { localPort: 0xe907, inode: '1010498', drops: 12 },
    { localPort: 59656, inode: '1010499', drops: 5 },
  ]);
  assert.deepEqual(parseProcNetUdp(UDP6), [{ localPort: 59655, inode: '2020', drops: 3 }]);
  assert.equal(parseRcvbufErrors(SNMP), 11537850);
  assert.equal(parseRcvbufErrors('Ip: a\nIp: 1\n'), undefined);
});

test("drop counter: the run's own sockets by port and inode; else the system-wide count from now on; else none", () => {
  const files = (over: Record<string, string>): Record<string, string> => ({
    '/proc/net/udp': UDP,
    '/proc/net/udp6': UDP6,
    '/proc/net/snmp': SNMP,
    ...over,
  });
  const proc = (f: Record<string, string>, inodes: string[]): ProcFiles => ({ read: (p) => f[p], socketInodes: () => new Set(inodes) });
  // Port 59655 is bound twice (v4 and v6), but only inode 1010498 is this process's: 12, not 15.
  const f = files({});
  const mine = dropCounter([59655], proc(f, ['1010498', '77']));
  assert.equal(mine.scope, 'sockets');
  assert.equal(mine.read(), 12);
  f['/proc/net/udp'] = UDP.replace(/ 12\n/, ' 40\n');
  assert.equal(mine.read(), 40);
  // A port this process holds no socket on: the system's counter, counted from when the run began.
  const sys = files({});
  const system = dropCounter([59655], proc(sys, ['999']));
  assert.equal(system.scope, 'system');
  assert.equal(system.read(), 0);
  sys['/proc/net/snmp'] = SNMP.replace('11537850 0 0 0 0', '11537900 0 0 0 0');
  assert.equal(system.read(), 50);
  const none = dropCounter([59655], { read: () => undefined, socketInodes: () => new Set() });
  assert.equal(none.scope, 'unavailable');
  assert.equal(none.read(), undefined);
});

test("the scheduler's lateness: how late the oldest call due is, the worst since the last read", () => {
  // 10 calls a second: call k is due at k × 100 ms.
  const s = new Scheduler({ rate: 10, periodMs: 1000, limit: 0, maxCalls: 0, users: 0 }, 0);
  assert.equal(s.due(0, 0), 1); // call 0, on time
  assert.equal(s.takeBehindMs(50), 0); // call 1 is due at 100: not late yet
  assert.equal(s.takeBehindMs(350), 250); // no tick since: call 1 is 250 ms late
  assert.equal(s.due(350, 0), 3); // calls 1, 2, 3 start; it was 250 ms behind when it started them
  assert.equal(s.takeBehindMs(360), 250); // the worst of the window, though it has caught up now
  assert.equal(s.takeBehindMs(370), 0); // a new window: call 4 is due at 400
  // Paused, or every call made (-m): nothing is due, nothing is late.
  s.pause();
  assert.equal(s.takeBehindMs(5000), 0);
  const m = new Scheduler({ rate: 10, periodMs: 1000, limit: 0, maxCalls: 1, users: 0 }, 0);
  m.due(0, 0);
  assert.equal(m.takeBehindMs(5000), 0);
  // -l refuses starts: a refused start is not a late one.
  const l = new Scheduler({ rate: 10, periodMs: 1000, limit: 1, maxCalls: 0, users: 0 }, 0);
  l.due(0, 0);
  assert.equal(l.due(500, 1), 0); // calls 1-5 due, all refused
  assert.equal(l.takeBehindMs(550), 400); // call 1 was 400 ms late when due() looked at it
  assert.equal(l.takeBehindMs(560), 0); // call 6 is due at 600
});

test('/proc/thread-self/stat: utime + stime in ticks of 10 ms, after a command name that holds spaces and parentheses', () => {
  // Fields 14 and 15 (utime 250, stime 37): 287 ticks = 2870 ms.
  assert.equal(
    parseThreadCpuMs('22656 (node (x) y) R 22654 22654 29658 0 -1 4194304 103 0 0 0 250 37 0 0 20 0 1 0 1419398 3133440 410'),
    2870,
  );
  assert.equal(parseThreadCpuMs('garbage'), undefined);
});

test('the sampler, with fake probes, timer and clock: CPU % from the windows it measures, drops, crossings reported once', () => {
  let wall = 0;
  let tick: () => void = () => undefined;
  let stopped = 0;
  const clock = {
    every: (_ms: number, fn: () => void) => {
      tick = fn;
      return () => {
        stopped++;
      };
    },
    now: () => wall,
  };
  // Per second: loop delay, CPU used, total drops, behind; hand-picked so each crossing's second is known.
  const script = [
    { loop: 5, cpu: 500, drops: 0, behind: 0 }, // 1 s
    { loop: 60, cpu: 980, drops: 0, behind: 20 }, // 2 s: loop over, 98 % CPU
    { loop: 70, cpu: 1960, drops: 0, behind: 0 }, // 4 s (a 2 s window, 98 %): loop crosses, from 1 s
    { loop: 5, cpu: 990, drops: 4, behind: 0 }, // 5 s: drops cross, CPU's third second: it crosses, from 1 s
    { loop: 5, cpu: 100, drops: 9, behind: 0 }, // 6 s
  ];
  let cpu = 0;
  let i = -1;
  let closed = false;
  const probes: SaturationProbes = {
    loopDelayP99Ms: () => script[i]?.loop ?? 0,
    cpuMs: () => cpu,
    drops: { scope: 'sockets', read: () => script[i]?.drops ?? 0 },
    close: () => {
      closed = true;
    },
  };
  const heard: SaturationKind[][] = [];
  const run = watchSaturation(
    probes,
    () => script[i]?.behind ?? 0,
    () => wall,
    (_r, kinds) => {
      heard.push([...kinds]);
    },
    undefined,
    clock,
  );
  const windows = [1000, 1000, 2000, 1000, 1000];
  windows.forEach((w, n) => {
    i = n;
    wall += w;
    cpu += script[n]?.cpu ?? 0;
    tick();
  });
  assert.deepEqual(heard, [['event-loop-delay'], ['receive-drops', 'cpu']]);
  const r = run.report();
  assert.deepEqual(r.what, ['event-loop-delay', 'cpu', 'receive-drops']); // since 1000, 1000, 4000
  assert.equal(r.signals['event-loop-delay'].sinceMs, 1000);
  assert.equal(r.signals.cpu.sinceMs, 1000);
  assert.equal(r.signals.cpu.peak, 99); // 990 ms in 1000
  assert.equal(r.signals['receive-drops'].sinceMs, 4000);
  assert.deepEqual(r.receiveDrops, { count: 9, scope: 'sockets' });
  assert.equal(r.signals['behind-schedule'].peak, 20);
  run.stop();
  assert.equal(stopped, 1);
  assert.ok(closed);
});

test('a late loop whose thread never had 80 % of a core: the meaning says the machine may be taking the CPU', () => {
  const starved = new SaturationWatch('sockets');
  starved.sample(second(1, { loopDelayP99Ms: 200, cpuMs: 300 }));
  starved.sample(second(2, { loopDelayP99Ms: 200, cpuMs: 290 }));
  assert.match(
    saturationMeaning(starved.report()),
    /\(its thread had at most 30% of a core: other programs on this machine may be taking the CPU\); try -workers$/,
  );
  // 80 % or more: sipts's own work; and drops alone say nothing of the CPU.
  const busy = new SaturationWatch('sockets');
  busy.sample(second(1, { loopDelayP99Ms: 200, cpuMs: 800 }));
  busy.sample(second(2, { loopDelayP99Ms: 200, cpuMs: 800 }));
  assert.doesNotMatch(saturationMeaning(busy.report()), /other programs/);
  const drops = new SaturationWatch('sockets');
  drops.sample(second(1, { drops: 5, cpuMs: 100 }));
  assert.doesNotMatch(saturationMeaning(drops.report()), /other programs/);
  assert.equal(saturationMeaning(new SaturationWatch('sockets').report()), 'sipts kept up: the figures measure the server');
});
