/** Random distributions of SIPp's <sample> action (and of timed pauses), from a uniform source in [0, 1). */

export type Distribution =
  | { readonly kind: 'fixed'; readonly value: number }
  | { readonly kind: 'uniform'; readonly min: number; readonly max: number }
  | { readonly kind: 'normal'; readonly mean: number; readonly stdev: number }
  | { readonly kind: 'lognormal'; readonly mean: number; readonly stdev: number }
  | { readonly kind: 'exponential'; readonly mean: number }
  | { readonly kind: 'weibull'; readonly lambda: number; readonly k: number }
  | { readonly kind: 'pareto'; readonly k: number; readonly xm: number }
  | { readonly kind: 'gpareto'; readonly shape: number; readonly scale: number; readonly location: number }
  | { readonly kind: 'gamma'; readonly k: number; readonly theta: number }
  | { readonly kind: 'negbin'; readonly n: number; readonly p: number };

/** The parameters each distribution takes, as SIPp names them. */
export const DISTRIBUTION_PARAMS = {
  fixed: ['value'],
  uniform: ['min', 'max'],
  normal: ['mean', 'stdev'],
  lognormal: ['mean', 'stdev'],
  exponential: ['mean'],
  weibull: ['lambda', 'k'],
  pareto: ['k', 'x_m'],
  gpareto: ['shape', 'scale', 'location'],
  gamma: ['k', 'theta'],
  negbin: ['n', 'p'],
} as const satisfies Record<Distribution['kind'], readonly string[]>;

/** The distribution of `kind` whose parameters (SIPp's names, as DISTRIBUTION_PARAMS lists them) `p` gives. */
export function distributionOf(kind: Distribution['kind'], p: (name: string) => number): Distribution {
  switch (kind) {
    case 'fixed':
      return { kind, value: p('value') };
    case 'uniform':
      return { kind, min: p('min'), max: p('max') };
    case 'normal':
    case 'lognormal':
      return { kind, mean: p('mean'), stdev: p('stdev') };
    case 'exponential':
      return { kind, mean: p('mean') };
    case 'weibull':
      return { kind, lambda: p('lambda'), k: p('k') };
    case 'pareto':
      return { kind, k: p('k'), xm: p('x_m') };
    case 'gpareto':
      return { kind, shape: p('shape'), scale: p('scale'), location: p('location') };
    case 'gamma':
      return { kind, k: p('k'), theta: p('theta') };
    case 'negbin':
      return { kind, n: p('n'), p: p('p') };
  }
}

function gaussian(random: () => number): number {
  // Box–Muller; 1 - u keeps the logarithm finite.
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

/** Marsaglia–Tsang for k >= 1, with the k < 1 boost. */
function gammaSample(k: number, theta: number, random: () => number): number {
  if (k < 1) return gammaSample(k + 1, theta, random) * Math.pow(1 - random(), 1 / k);
  const d = k - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    const x = gaussian(random);
    const v = Math.pow(1 + c * x, 3);
    if (v > 0 && Math.log(1 - random()) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v * theta;
  }
}

export function sample(d: Distribution, random: () => number): number {
  switch (d.kind) {
    case 'fixed':
      return d.value;
    case 'uniform':
      return d.min + (d.max - d.min) * random();
    case 'normal':
      return d.mean + d.stdev * gaussian(random);
    case 'lognormal':
      return Math.exp(d.mean + d.stdev * gaussian(random));
    case 'exponential':
      return -d.mean * Math.log(1 - random());
    case 'weibull':
      return d.lambda * Math.pow(-Math.log(1 - random()), 1 / d.k);
    case 'pareto':
      return d.xm / Math.pow(1 - random(), 1 / d.k);
    case 'gpareto': {
      // Generalised Pareto by its inverse CDF, u the survival probability in (0, 1]; shape 0 is its limit,
      // the exponential (SIPp divides by the shape and gets NaN there).
      const u = 1 - random();
      return d.shape === 0 ? d.location - d.scale * Math.log(u) : d.location + (d.scale * (Math.pow(u, -d.shape) - 1)) / d.shape;
    }
    case 'gamma':
      return gammaSample(d.k, d.theta, random);
    case 'negbin': {
      // Failures before the n-th success: a Poisson with a gamma-distributed mean.
      const lambda = gammaSample(d.n, (1 - d.p) / d.p, random);
      let k = 0;
      let prod = 1 - random();
      const limit = Math.exp(-lambda);
      while (prod > limit) {
        k++;
        prod *= 1 - random();
      }
      return k;
    }
  }
}
