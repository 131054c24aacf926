import assert from 'node:assert/strict';
import { test } from 'node:test';
import { momentsMean, momentsStdev, Stats } from '../../src/stats/stats.js';
import { TransportError } from '../../src/events/transport-error.js';

/**
 * The stats maths against values worked out by hand. Response times of 1, 2, … 1000 ms, each once:
 * the nearest-rank p50 is 500 ms, p90 900, p99 990, p99.9 999; the mean 500.5; the population standard
 * deviation sqrt((1000² − 1)/12) = 288.6749 ms. The histograms keep 3 significant digits (HdrHistogram reports
 * a value as the top of its bucket), so a percentile may be up to 0.1% above the exact one, never below.
 */
test('percentiles, mean, deviation and repartition of 1..1000 ms against hand-computed values', () => {
  const stats = new Stats(1, ['1', '2'], 0, [], { responseTime: [10, 20, 50, 100, 500], callLength: [] });
  for (let ms = 1; ms <= 1000; ms++) stats.recordRtd(0, ms);
  // rtd 2 holds other values, so a mix-up of the two would show.
  for (let i = 0; i < 10; i++) stats.recordRtd(1, 7);
  const s = stats.snapshot(0);
  const rtd = s.rtd[0]?.summary;
  assert.ok(rtd);
  assert.equal(rtd.count, 1000);
  assert.equal(rtd.minMs, 1);
  assert.equal(rtd.maxMs, 1000);
  const near = (got: number, exact: number, what: string): void => {
    assert.ok(got >= exact && got <= exact * 1.001, `${what}: ${got}, expected ${exact} (+0.1% at most)`);
  };
  near(rtd.p50Ms, 500, 'p50');
  near(rtd.p90Ms, 900, 'p90');
  near(rtd.p99Ms, 990, 'p99');
  near(rtd.p999Ms, 999, 'p99.9');
  assert.ok(Math.abs(rtd.meanMs - 500.5) <= 0.5, `histogram mean ${rtd.meanMs}`);
  const m = s.rtdMoments[0];
  assert.ok(m);
  assert.equal(m.count, 1000);
  assert.equal(momentsMean(m), 500.5);
  assert.ok(Math.abs(momentsStdev(m) - Math.sqrt((1000 * 1000 - 1) / 12)) < 1e-6, `stdev ${momentsStdev(m)}`);
  // SIPp's buckets: < 10, < 20, < 50, < 100, < 500, then >= 500.
  assert.deepEqual(s.rtdRepartition[0], [9, 10, 30, 50, 400, 501]);
  assert.deepEqual(s.rtdRepartition[1], [10, 0, 0, 0, 0, 0]);
  assert.equal(s.rtd[1]?.summary.p99Ms, 7);
});

test('call length: one long call among short ones moves p99.9 and max, not p50', () => {
  const stats = new Stats(1, [], 0, [], { responseTime: [], callLength: [1000, 5000] });
  for (let i = 0; i < 999; i++) stats.recordCallLength(200);
  stats.recordCallLength(60_000);
  const c = stats.snapshot(0).callLength;
  assert.equal(c.count, 1000);
  assert.ok(c.p50Ms >= 200 && c.p50Ms <= 200.2, `p50 ${c.p50Ms}`);
  assert.ok(c.p99Ms >= 200 && c.p99Ms <= 200.2, `p99 ${c.p99Ms}: the 1000th value is above p99`);
  assert.ok(c.p999Ms >= 200 && c.p999Ms <= 200.2, `p99.9 ${c.p999Ms}: nearest rank 999 is still a short call`);
  assert.equal(c.maxMs, 60_000);
  assert.deepEqual(stats.snapshot(0).callLengthRepartition, [999, 0, 1]);
});

test('transport errors are counted by kind, SendErrors is their total, and reset stats clears both', () => {
  const stats = new Stats(1, [], 0);
  stats.transportError(TransportError.connect);
  stats.transportError(TransportError.connect);
  stats.transportError(TransportError.congested);
  const s = stats.snapshot(0);
  assert.deepEqual(
    Object.entries(s.transportErrors).filter(([, n]) => n > 0),
    [
      ['connect', 2],
      ['congested', 1],
    ],
  );
  assert.equal(s.counters.SendErrors, 3);
  stats.resetCumulative(0);
  const after = stats.snapshot(0);
  assert.equal(after.counters.SendErrors, 0);
  assert.ok(Object.values(after.transportErrors).every((n) => n === 0));
});
