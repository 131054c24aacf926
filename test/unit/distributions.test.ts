import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sample, type Distribution } from '../../src/load/distributions.js';
import { compileScenarioSource, StepKind } from '../../src/scenario/compile.js';
import type { TemplateEnv } from '../../src/scenario/keywords.js';

/** A small deterministic generator, so the test is repeatable. */
function lcg(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1664525 + 1013904223) % 4294967296;
    return s / 4294967296;
  };
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

// Old-style pauses and gpareto (SIPp 3.6.1 scenario.cpp, parse_distribution). Each expected figure is
// worked out by hand from the distribution's formula, with the parameters chosen so that reading one
// attribute for another (swapping them) gives a figure outside the tolerance.
const scenarioWith = (pause: string): string => `<?xml version="1.0"?>\n<scenario name="t">\n${pause}\n</scenario>\n`;
const env: TemplateEnv = {
  service: 's',
  pid: 1,
  transport: 'UDP',
  localIpEscaped: '127.0.0.1',
  localIpType: 4,
  mediaIpEscaped: '127.0.0.1',
  mediaIpType: 4,
  mediaPort: 6000,
  keys: {},
  globals: {},
  injectionFiles: [],
  authUser: 's',
  authPassword: 'p',
  users: 0,
  version: '0',
};

function pauseOf(xml: string): Distribution {
  const step = compileScenarioSource('t.xml', scenarioWith(xml), env).steps[0];
  assert.ok(step !== undefined && step.kind === StepKind.Pause && step.pauseDistribution !== undefined, `no distribution for ${xml}`);
  return step.pauseDistribution;
}

function moments(d: Distribution, n = 40_000): { mean: number; variance: number; min: number; max: number } {
  const r = lcg(7);
  let sum = 0;
  let sq = 0;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < n; i++) {
    const x = sample(d, r);
    sum += x;
    sq += x * x;
    min = Math.min(min, x);
    max = Math.max(max, x);
  }
  const mean = sum / n;
  return { mean, variance: sq / n - mean * mean, min, max };
}

const near = (got: number, want: number, tol: number, what: string): void =>
  assert.ok(Math.abs(got - want) <= tol * Math.abs(want), `${what}: ${got}, expected ${want} ±${tol * 100}%`);

test('old-style <pause min max>: uniform between them (mean 200, bounds 100..300), not a -d pause', () => {
  const d = pauseOf('<pause min="100" max="300"/>');
  assert.deepEqual(d, { kind: 'uniform', min: 100, max: 300 });
  const m = moments(d);
  near(m.mean, 200, 0.02, 'mean');
  assert.ok(m.min >= 100 && m.max <= 300 && m.min < 105 && m.max > 295, `bounds ${m.min}..${m.max}`);
  // SIPp looks at min/max before milliseconds.
  assert.equal(pauseOf('<pause milliseconds="5" min="100" max="300"/>').kind, 'uniform');
  // SIPp reads <timewait> the same way.
  assert.deepEqual(pauseOf('<timewait min="1" max="3"/>'), { kind: 'uniform', min: 1, max: 3 });
});

test('old-style distribution flags read their own parameters (swapping any two would change the figures)', () => {
  // normal: mean 100, sd 10 (swapped: mean 10).
  let m = moments(pauseOf('<pause normal="true" mean="100" stdev="10"/>'));
  near(m.mean, 100, 0.01, 'normal mean');
  near(Math.sqrt(m.variance), 10, 0.05, 'normal sd');
  // exponential: mean 50, sd 50.
  m = moments(pauseOf('<pause exponential="1" mean="50"/>'));
  near(m.mean, 50, 0.03, 'exponential mean');
  // lognormal mean 1 sd 0.5 of the logarithm: E = e^(1 + 0.125) = 3.0802 (swapped: e^(0.5 + 0.5) = 2.718).
  m = moments(pauseOf('<pause lognormal="yes" mean="1" stdev="0.5"/>'));
  near(m.mean, Math.exp(1.125), 0.02, 'lognormal mean');
  // weibull lambda 2, k 5: E = 2 Γ(1.2) = 2 × 0.918169 = 1.836 (swapped: 5 Γ(1.5) = 4.431).
  m = moments(pauseOf('<pause weibull="" lambda="2" k="5"/>'));
  near(m.mean, 1.836338, 0.02, 'weibull mean');
  // pareto k 3, x_m 2: E = 3 × 2 / 2 = 3, never below 2 (swapped: E = 6, min 3).
  m = moments(pauseOf('<pause pareto="1" k="3" x_m="2"/>'));
  near(m.mean, 3, 0.03, 'pareto mean');
  assert.ok(m.min >= 2 && m.min < 2.01, `pareto min ${m.min}`);
  // gamma k 2, theta 5: E = 10, Var = k θ² = 50 (swapped: Var = 5 × 4 = 20).
  m = moments(pauseOf('<pause gamma="1" k="2" theta="5"/>'));
  near(m.mean, 10, 0.02, 'gamma mean');
  near(m.variance, 50, 0.06, 'gamma variance');
  // The first flag in SIPp's order wins: normal before exponential.
  assert.equal(pauseOf('<pause exponential="1" normal="1" mean="5" stdev="1"/>').kind, 'normal');
});

test('distribution="gpareto" reads shape, scale and location: E = location + scale / (1 - shape)', () => {
  const d = pauseOf('<pause distribution="gpareto" shape="0.25" scale="100" location="50"/>');
  assert.deepEqual(d, { kind: 'gpareto', shape: 0.25, scale: 100, location: 50 });
  const m = moments(d, 100_000);
  // 50 + 100 / 0.75 = 183.33; never below the location. Swapping scale and location gives 183.33 too but a
  // minimum of 100; swapping shape and scale, an infinite mean.
  near(m.mean, 50 + 100 / 0.75, 0.03, 'gpareto mean');
  assert.ok(m.min >= 50 && m.min < 50.5, `gpareto min ${m.min}`);
  // Median: location + scale (2^shape - 1) / shape = 50 + 100 × 0.189207 / 0.25 = 125.68.
  const r = lcg(3);
  const xs = Array.from({ length: 20_001 }, () => sample(d, r)).sort((a, b) => a - b);
  near(xs[10_000] ?? 0, 50 + (100 * (Math.pow(2, 0.25) - 1)) / 0.25, 0.02, 'gpareto median');
});
