import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sample, type Distribution } from '../../src/load/distributions.js';

/** A small deterministic generator, so the test is repeatable. */
function lcg(seed: number): () => number {
  let s = seed;
  return () => { s = (s * 1664525 + 1013904223) % 4294967296; return s / 4294967296; };
}

test('sample means match each distribution (10,000 draws, seeded)', () => {
  const cases: [Distribution, number][] = [
    [{ kind: 'fixed', value: 7 }, 7],
    [{ kind: 'uniform', min: 10, max: 20 }, 15],
    [{ kind: 'normal', mean: 100, stdev: 10 }, 100],
    [{ kind: 'exponential', mean: 50 }, 50],
    [{ kind: 'gamma', k: 2, theta: 3 }, 6],
    [{ kind: 'weibull', lambda: 1, k: 1 }, 1],
    [{ kind: 'pareto', k: 3, xm: 2 }, 3],
    [{ kind: 'negbin', n: 5, p: 0.5 }, 5],
    [{ kind: 'lognormal', mean: 0, stdev: 0.5 }, Math.exp(0.125)],
  ];
  for (const [d, mean] of cases) {
    const r = lcg(42);
    let sum = 0;
    for (let i = 0; i < 10_000; i++) sum += sample(d, r);
    const got = sum / 10_000;
    assert.ok(Math.abs(got - mean) <= Math.max(0.05 * mean, 0.05), `${d.kind}: mean ${got}, expected ${mean}`);
  }
});
