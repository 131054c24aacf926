/**
 * --segment I/N and --start-at (cli/segment-option.ts) and a segment's workers (load/share.ts: nestShare),
 * against hand-computed values and against the plain stripes of N × W parts.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chooseSegment, parseStartAt } from '../../src/cli/segment-option.js';
import { buildConfig, ConfigErrors } from '../../src/cli/config.js';
import { nestShare, shareOf, shareRange, stripeItem, WHOLE } from '../../src/load/share.js';

test('--segment I/N, counted from 0; the environment of an Indexed Job (JOB_COMPLETION_INDEX, SIPTS_SEGMENTS) when absent', () => {
  assert.deepEqual(chooseSegment('2/3', {}), { segment: { index: 2, of: 3 }, problems: [] });
  assert.deepEqual(chooseSegment(undefined, {}), { segment: WHOLE, problems: [] });
  assert.deepEqual(chooseSegment(undefined, { JOB_COMPLETION_INDEX: '1', SIPTS_SEGMENTS: '4' }).segment, { index: 1, of: 4 });
  // The option wins over the environment.
  assert.deepEqual(chooseSegment('0/2', { JOB_COMPLETION_INDEX: '1', SIPTS_SEGMENTS: '4' }).segment, { index: 0, of: 2 });
});

test('--segment errors say what to write', () => {
  const problem = (o: string | undefined, env: Record<string, string> = {}): string => chooseSegment(o, env).problems.join('\n');
  assert.match(problem('3/3'), /^--segment 3\/3: I counts from 0, as JOB_COMPLETION_INDEX does: write 2\/3 for the last of 3 segments$/);
  assert.match(problem('0/0'), /at least 1/);
  assert.match(problem('a/3'), /expected I\/N, two whole numbers.*--segment 0\/3/);
  assert.match(problem('1'), /expected I\/N/);
  assert.match(problem('-1/3'), /expected I\/N/);
  assert.match(problem(undefined, { JOB_COMPLETION_INDEX: '2' }), /without SIPTS_SEGMENTS: set SIPTS_SEGMENTS to the number of segments/);
  assert.match(
    problem(undefined, { SIPTS_SEGMENTS: '3' }),
    /without JOB_COMPLETION_INDEX: set JOB_COMPLETION_INDEX to this segment's index \(0 to 2\)/,
  );
  assert.match(
    problem(undefined, { JOB_COMPLETION_INDEX: '5', SIPTS_SEGMENTS: '3' }),
    /^JOB_COMPLETION_INDEX=5 SIPTS_SEGMENTS=3: I counts from 0/,
  );
});

test('--start-at: ISO 8601 or epoch ms; anything else is refused by the config with an example', () => {
  assert.equal(parseStartAt('2026-01-01T12:00:00Z'), Date.UTC(2026, 0, 1, 12));
  assert.equal(parseStartAt('2026-01-01T12:00:00.500+01:00'), Date.UTC(2026, 0, 1, 11, 0, 0, 500));
  assert.equal(parseStartAt('1767268800000'), 1767268800000);
  assert.equal(parseStartAt('tomorrow'), undefined);
  assert.equal(parseStartAt('Thu, 01 Jan 2026 12:00:00 GMT'), undefined);
  assert.throws(
    () => buildConfig({ 'start-at': 'noon' }, ['127.0.0.1'], 1),
    (e: unknown) => e instanceof ConfigErrors && e.problems.some((p) => /^-start-at noon: expected an ISO 8601 time/.test(p)),
  );
});

test('a segment must get some of -m, -users and -l: -m 2 over 3 segments is refused for segment 2', () => {
  assert.throws(
    () => buildConfig({ m: '2', segment: '2/3' }, ['127.0.0.1'], 1),
    (e: unknown) =>
      e instanceof ConfigErrors &&
      e.problems.includes('-m 2 over 3 segments: segment 2 would get none of it; split the run into at most 2 segments'),
  );
  const c = buildConfig({ m: '300', segment: '1/3' }, ['127.0.0.1'], 1);
  assert.deepEqual(c.segment, { index: 1, of: 3 });
  // -workers is narrowed to the segment's share: -m 4 over 2 segments leaves 2 calls, so 2 workers, not 3.
  assert.equal(buildConfig({ m: '4', segment: '0/2', workers: '3' }, ['127.0.0.1'], 1).workers, 2);
});

test('worker k of W in segment I of N is part I + kN of N·W: the segment takes its stripe of N whatever W, and all parts add up', () => {
  assert.deepEqual(nestShare({ index: 1, of: 3 }, { index: 0, of: 2 }), { index: 1, of: 6 });
  assert.deepEqual(nestShare({ index: 1, of: 3 }, { index: 1, of: 2 }), { index: 4, of: 6 });
  assert.deepEqual(nestShare(WHOLE, { index: 1, of: 2 }), { index: 1, of: 2 });
  assert.deepEqual(nestShare({ index: 2, of: 3 }, WHOLE), { index: 2, of: 3 });
  for (const [N, W] of [
    [3, 2],
    [4, 3],
    [2, 5],
  ] as const) {
    const items = 1000;
    const owner = new Map<number, string>();
    for (let I = 0; I < N; I++) {
      for (let k = 0; k < W; k++) {
        const share = nestShare({ index: I, of: N }, { index: k, of: W });
        // Its count is its share of the whole; its items are the stripe's.
        const count = shareOf(items, share);
        for (let n = 0; n < count; n++) {
          const item = stripeItem(n, share);
          assert.ok(!owner.has(item), `item ${item} twice`);
          owner.set(item, `${I}`);
          // Segment I's items are I, I+N, I+2N … (its stripe of N), as without workers.
          assert.equal(item % N, I);
        }
      }
    }
    assert.equal(owner.size, items);
  }
});

test('each segment gets its slice of the RTP port range, whole even/odd pairs, the last taking the rest', () => {
  // 6000 … 65535 over 3: 29768 pairs, 9922 each (19844 ports).
  assert.deepEqual(shareRange(6000, 65535, { index: 0, of: 3 }), { min: 6000, max: 25843 });
  assert.deepEqual(shareRange(6000, 65535, { index: 1, of: 3 }), { min: 25844, max: 45687 });
  assert.deepEqual(shareRange(6000, 65535, { index: 2, of: 3 }), { min: 45688, max: 65535 });
  assert.deepEqual(shareRange(6000, 6003, { index: 1, of: 2 }), { min: 6002, max: 6003 });
  // Too small to split: left whole.
  assert.deepEqual(shareRange(6000, 6001, { index: 1, of: 2 }), { min: 6000, max: 6001 });
  assert.deepEqual(shareRange(6000, 7000, WHOLE), { min: 6000, max: 7000 });
});
