import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import Float64HistogramModule from 'hdr-histogram-js/dist/Float64Histogram.js';
import { mergeExports, summarize } from '../../src/stats/export.js';
import {
  decodeHistogram,
  encodeHistogram,
  IntIndexHistogram,
  mergeHistograms,
  newHistogram,
  summarizeExport,
  summarizeLive,
} from '../../src/stats/histogram.js';
import { Counter, Stats, StepCounter, type StatsExport, type StatsSnapshot } from '../../src/stats/stats.js';
import { formatSummary } from '../../src/report/summary.js';
import { htmlReport } from '../../src/report/html.js';
import { jsonReport, type RunFacts } from '../../src/report/json.js';
import { junitReport } from '../../src/report/junit.js';
import { renderMetrics } from '../../src/report/prometheus.js';
import { percentilesScreen } from '../../src/report/screens.js';
import { StatFile } from '../../src/report/stat-file.js';
import { judge } from '../../src/report/thresholds.js';
import { builtin } from '../helpers.js';

/**
 * What crosses a worker or machine boundary is JSON: every export in these tests goes through it first.
 */
const wire = <T>(e: T): T => JSON.parse(JSON.stringify(e)) as T;

/** HdrHistogram keeps 3 significant digits and reports a value as the top of its bucket: at most 0.1% above. */
function near(got: number, exact: number, what: string): void {
  assert.ok(got >= exact && got <= exact * 1.001, `${what}: ${got}, expected ${exact} (+0.1% at most)`);
}

test('encode → JSON → decode keeps the count, exact min and max, and every percentile', () => {
  const h = newHistogram();
  // 0.25 ms .. 30 s, spread over many buckets, and one call-length-like outlier past the 1-hour initial range.
  for (let i = 1; i <= 5000; i++) h.recordValue(250 * i + (i % 7));
  h.recordValue(2 * 3_600_000_000 + 123);
  const e = wire(encodeHistogram(h));
  const d = decodeHistogram(e);
  assert.equal(d.totalCount, 5001);
  assert.equal(e.minUs, 251, 'exact min: 250 µs × 1 + 1');
  assert.equal(e.maxUs, 2 * 3_600_000_000 + 123, 'exact max, not its bucket edge');
  // The decoded histogram's buckets are the original's: HdrHistogram's own percentiles agree at any p.
  for (const p of [0, 1, 25, 50, 75, 90, 99, 99.9, 99.99, 100]) assert.equal(d.getValueAtPercentile(p), h.getValueAtPercentile(p), `p${p}`);
  assert.deepEqual(summarizeExport(e), summarizeLive(h));
  const s = summarizeExport(e);
  assert.equal(s.count, 5001);
  assert.equal(s.minMs, 0.251);
  assert.equal(s.maxMs, 7_200_000.123);
  // Nearest rank over the sorted values: rank 2500.5 → 2501 is 250 × 2501 + (2501 mod 7 = 2) µs.
  near(s.p50Ms * 1000, 250 * 2501 + 2, 'p50 (µs)');
  near(s.p99Ms * 1000, 250 * 4951 + (4951 % 7), 'p99 (µs)');
  // A histogram that grew past its first range merges with one that did not, either way round.
  const small = newHistogram();
  small.recordValue(100);
  for (const m of [mergeHistograms(encodeHistogram(small), e), mergeHistograms(e, encodeHistogram(small))]) {
    assert.deepEqual([m.minUs, m.maxUs, decodeHistogram(m).totalCount], [100, 2 * 3_600_000_000 + 123, 5002]);
  }
});

test("the one-pass summary equals HdrHistogram's own percentiles and mean (random histograms)", () => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 1, max: 50_000_000 }), { minLength: 1, maxLength: 400 }), (values) => {
      const h = newHistogram();
      for (const v of values) h.recordValue(v);
      const s = summarizeLive(h);
      const ms = (us: number): number => Math.round(us) / 1000;
      const at = (p: number): number => ms(Math.min(h.getValueAtPercentile(p), h.maxValue));
      assert.deepEqual(s, {
        count: values.length,
        minMs: ms(Math.min(...values)),
        meanMs: ms(h.mean),
        p50Ms: at(50),
        p90Ms: at(90),
        p99Ms: at(99),
        p999Ms: at(99.9),
        maxMs: ms(Math.max(...values)),
      });
    }),
    { numRuns: 200 },
  );
});

/**
 * Two parts of one run, chosen so that the whole's percentiles are neither part's: A measured 1, 2, … 900 ms,
 * B 100 times 2000 ms. The union, 1000 values sorted, has nearest ranks p50 = #500 = 500 ms, p90 = #900 =
 * 900 ms, p99 = #990 and p99.9 = #999, both 2000 ms; min 1, max 2000; mean (405,450 + 200,000) / 1000 = 605.45.
 * A's own p99 is 891 ms and B's p50 is 2000 ms: averaging parts' percentiles could not give these.
 */
function twoParts(): { a: Stats; b: Stats } {
  const a = new Stats(2, ['1'], 0, ['c1']);
  const b = new Stats(2, ['1'], 0, ['c1', 'c2']);
  for (let ms = 1; ms <= 900; ms++) {
    a.recordRtd(0, ms);
    a.recordCallLength(ms * 10);
  }
  for (let i = 0; i < 100; i++) {
    b.recordRtd(0, 2000);
    b.recordCallLength(20_000);
  }
  return { a, b };
}

test("merging two exports gives the union's percentiles, computed by hand", () => {
  const { a, b } = twoParts();
  const m = summarize(mergeExports(wire(a.export(1000)), wire(b.export(1000))));
  const rtd = m.rtd[0]?.summary;
  assert.ok(rtd);
  assert.equal(rtd.count, 1000);
  assert.equal(rtd.minMs, 1);
  assert.equal(rtd.maxMs, 2000);
  near(rtd.p50Ms, 500, 'p50');
  near(rtd.p90Ms, 900, 'p90');
  assert.equal(rtd.p99Ms, 2000, 'p99: clamped to the exact max');
  assert.equal(rtd.p999Ms, 2000, 'p99.9');
  assert.ok(Math.abs(rtd.meanMs - 605.45) <= 605.45 * 0.001, `mean ${rtd.meanMs}`);
  assert.deepEqual(m.rtdMoments[0], { count: 1000, sumMs: 605_450, sumSqMs: (900 * 901 * 1801) / 6 + 100 * 2000 * 2000 });
  // Call lengths: 10, 20, … 9000 ms and 100 × 20,000 ms, the same ranks ten times over.
  near(m.callLength.p50Ms, 5000, 'call length p50');
  near(m.callLength.p90Ms, 9000, 'call length p90');
  assert.equal(m.callLength.p99Ms, 20_000);
  assert.equal(m.callLength.count, 1000);
});

test('merging is commutative and associative; counters, transport errors by kind, steps, user counters, repartitions and open calls add', () => {
  const edges = { responseTime: [10, 100], callLength: [1000] };
  const parts = [0, 1, 2].map((k) => {
    const s = new Stats(3, ['1', '2'], 0, ['c1', 'c2'], edges);
    s.count(Counter.CallsCreated, 3 + k);
    s.count(Counter.SuccessfulCalls, 2);
    s.fail(k);
    s.transportError(k);
    s.step(1, StepCounter.sent);
    s.step(2, StepCounter.timeouts);
    s.countUser(k % 2);
    s.unexpected(k === 0 ? 'BYE' : '403 (REGISTER)');
    s.openCalls = k + 1;
    for (let i = 1; i <= 10 * (k + 1); i++) s.recordRtd(k % 2, i * (k + 1));
    s.recordCallLength(500 * (k + 1));
    return wire(s.export(1000 + k * 500));
  });
  const [p0, p1, p2] = parts as [StatsExport, StatsExport, StatsExport];
  const ab = summarize(mergeExports(p0, p1));
  assert.deepEqual(summarize(mergeExports(p1, p0)), ab, 'a + b = b + a');
  assert.deepEqual(
    summarize(mergeExports(mergeExports(p0, p1), p2)),
    summarize(mergeExports(p0, mergeExports(p1, p2))),
    '(a + b) + c = a + (b + c)',
  );
  assert.equal(ab.counters.CallsCreated, 3 + 4);
  assert.equal(ab.counters.SuccessfulCalls, 4);
  assert.equal(ab.failures.FailedCannotSendMessage, 1, 'reason #0 from part 0');
  assert.equal(ab.failures.FailedMaxUDPRetrans, 1, 'reason #1 from part 1');
  assert.deepEqual(Object.values(ab.transportErrors).slice(0, 3), [1, 1, 0], 'transport error kinds #0 and #1 from parts 0 and 1');
  assert.deepEqual(
    ab.steps.map((s) => [s.sent, s.timeouts]),
    [
      [0, 0],
      [2, 0],
      [0, 2],
    ],
  );
  assert.deepEqual(ab.userCounters, { c1: 1, c2: 1 });
  assert.deepEqual(ab.unexpected, { BYE: 1, '403 (REGISTER)': 1 });
  assert.equal(ab.openCalls, 3);
  assert.equal(ab.elapsedMs, 1500, 'parts run side by side: the longer one');
  // Part 0: rtd 1 = 1..10 ms (9 below 10, 1 in [10, 100)); part 1: rtd 2 = 2, 4, … 40 ms (4 below 10, 16 in [10, 100)).
  assert.deepEqual(ab.rtdRepartition, [
    [9, 1, 0],
    [4, 16, 0],
  ]);
  // Call lengths 500 ms (part 0, below 1000) and 1000 ms (part 1, at the last edge: the >= bucket).
  assert.deepEqual(ab.callLengthRepartition, [1, 1]);
  assert.equal(ab.rtd[0]?.summary.count, 10);
  assert.equal(ab.rtd[1]?.summary.count, 20);
  assert.equal(ab.rtd[1]?.summary.maxMs, 40);
});

test('exports of different scenarios do not merge', () => {
  const a = new Stats(2, ['1'], 0).export(0);
  assert.throws(() => mergeExports(a, new Stats(3, ['1'], 0).export(0)), /steps 2 vs 3/);
  assert.throws(() => mergeExports(a, new Stats(2, ['2'], 0).export(0)), /rtds 1 vs 2/);
  assert.throws(() => mergeExports(a, { ...a, format: 'other/9' }), /format/);
});

test('snapshot() is summarize(export()): the fast path of the live screens is the export path without encoding', () => {
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.nat(2), fc.double({ min: 0.001, max: 100_000, noNaN: true })), { maxLength: 300 }), (samples) => {
      const s = new Stats(2, ['1', '2'], 0, ['c'], { responseTime: [5, 50], callLength: [100] });
      for (const [k, ms] of samples)
        if (k < 2) s.recordRtd(k, ms);
        else s.recordCallLength(ms);
      s.count(Counter.CallsCreated, samples.length);
      assert.deepEqual(summarize(wire(s.export(777))), s.snapshot(777));
    }),
    { numRuns: 100 },
  );
});

test("timeline windows: the halves' window exports merge into the whole run's window", () => {
  const whole = new Stats(1, ['1'], 0);
  const halves = [new Stats(1, ['1'], 0), new Stats(1, ['1'], 0)];
  for (const s of [whole, ...halves]) s.trackWindows();
  for (let i = 1; i <= 200; i++) {
    whole.recordRtd(0, i);
    halves[i % 2]?.recordRtd(0, i);
  }
  const [w0, w1] = halves.map((h) => h.takeWindowExport()[0]);
  assert.ok(w0 && w1);
  assert.deepEqual(summarizeExport(mergeHistograms(wire(w0), wire(w1))), whole.takeWindow()[0]);
  // Taking a window starts a new one.
  assert.equal(halves[0]?.takeWindow()[0]?.count, 0);
});

test('every report of a merged export of two halves equals the report of the whole run', (t) => {
  const scenario = builtin('uac');
  const edges = { responseTime: scenario.responseTimeRepartition, callLength: scenario.callLengthRepartition };
  const make = (): Stats => new Stats(scenario.steps.length, scenario.rtdNames, 0, scenario.counterNames, edges);
  const whole = make();
  const halves = [make(), make()] as const;
  // Quarter-milliseconds: their sums and sums of squares are exact in floating point, in any order of addition,
  // so the halves' moments add up to the whole's to the bit (real timings differ in the last bits only).
  for (let i = 1; i <= 2000; i++) {
    const ms = ((i * 7919) % 4000) / 4 + 0.25;
    const half = i % 2 === 0 ? halves[0] : halves[1];
    for (const s of [whole, half]) {
      s.count(Counter.CallsCreated);
      s.step(i % scenario.steps.length, StepCounter.sent);
      if (i % 50 === 0) {
        s.fail(1);
        s.count(Counter.FailedCalls);
      } else s.count(Counter.SuccessfulCalls);
      s.recordRtd(0, ms);
      s.recordCallLength(ms * 8);
    }
  }
  whole.openCalls = 5;
  halves[0].openCalls = 2;
  halves[1].openCalls = 3;
  const merged = summarize(mergeExports(wire(halves[0].export(10_000)), wire(halves[1].export(10_000))));
  const single = whole.snapshot(10_000);
  assert.deepEqual(merged, single);

  const facts: RunFacts = { version: '0', parameters: {}, endReason: 'test', exitCode: 1 };
  const reports = (s: StatsSnapshot): string[] => {
    const verdicts = judge({ maxFailed: 10, maxRtdP99Ms: 500, minSuccessRatePercent: 99 }, s);
    return [
      formatSummary(s, scenario, 'run'),
      jsonReport(s, scenario, facts, verdicts),
      junitReport(s, scenario, verdicts),
      renderMetrics(s, scenario, 10),
      percentilesScreen(s),
      htmlReport({ title: 'run', scenario, snapshot: s, timeline: [], ladders: [], verdicts, facts }),
    ];
  };
  assert.deepEqual(reports(merged), reports(single));
  const dir = mkdtempSync(join(tmpdir(), 'sipts-export-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const statRow = (s: StatsSnapshot): string[] => new StatFile(join(dir, 'stat.csv'), scenario, 0, () => 10).row(s, 10_000);
  assert.deepEqual(statRow(merged), statRow(single));
});

test('a run that never exports loads neither the WebAssembly build nor the encoder; the first export loads the encoder only', () => {
  // A child process: this one has loaded the encoder in the tests above. Node's CommonJS cache lists the
  // package's files as they are loaded, whether imported from ESM or required.
  const stats = new URL('../../src/stats/stats.js', import.meta.url).href;
  const script = `
    import { createRequire } from 'node:module';
    const { Stats } = await import(${JSON.stringify(stats)});
    const loaded = () => Object.keys(createRequire(import.meta.url).cache).filter((f) => f.includes('hdr-histogram-js')).map((f) => f.replace(/.*hdr-histogram-js.dist./, ''));
    const s = new Stats(1, ['1'], 0);
    s.recordRtd(0, 5);
    s.snapshot(1);
    const before = loaded();
    s.export(1);
    console.log(JSON.stringify({ before, after: loaded() }));`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30_000 });
  assert.equal(r.status, 0, r.stderr);
  const { before, after } = JSON.parse(r.stdout) as { before: string[]; after: string[] };
  assert.ok(
    !before.some((f) => f.includes('encoding') || f.includes('wasm') || f === 'index.js'),
    `loaded before any export: ${before.join(', ')}`,
  );
  assert.ok(after.includes('JsHistogram.encoding.js'), `loaded after an export: ${after.join(', ')}`);
  assert.ok(!after.some((f) => f.includes('wasm') || f === 'index.js'), `loaded after an export: ${after.join(', ')}`);
});

const Float64HistogramClass = Float64HistogramModule.default;

test("the histogram's integer index is the package's own for every value it takes, and values outside it take the package's path", () => {
  // The reference: hdr-histogram-js's own countsArrayIndex (Math.pow and Math.log2), on a histogram of the same shape.
  const ours = new IntIndexHistogram(1, 3_600_000_000, 3);
  const theirs = new Float64HistogramClass(1, 3_600_000_000, 3);
  const values: number[] = [];
  for (let v = 1; v <= 70_000; v++) values.push(v);
  for (let k = 1; k < 31; k++) values.push(2 ** k - 1, 2 ** k, 2 ** k + 1, 3 * 2 ** (k - 1));
  values.push(2 ** 31 - 1, 2 ** 31, 2 ** 33 + 5, 3_600_000_000, 1.5, 0);
  for (const v of values) assert.equal(ours.countsArrayIndex(v), theirs.countsArrayIndex(v), `value ${v}`);
  // Recorded through it (growing as newHistogram's do), the percentiles are the package's.
  ours.autoResize = true;
  theirs.autoResize = true;
  for (const v of [1, 7, 999, 1000, 1001, 65_535, 123_456, 2 ** 31 - 1, 2 ** 32 + 3]) {
    ours.recordValue(v);
    theirs.recordValue(v);
  }
  for (const p of [0, 10, 50, 90, 99, 100]) assert.equal(ours.getValueAtPercentile(p), theirs.getValueAtPercentile(p), `p${p}`);
});
