/**
 * Generated test inputs from a fixed xorshift32 sequence (Marsaglia, "Xorshift RNGs", 2003): the same inputs
 * every run, so a failure can be reproduced from its seed.
 */
export interface Draws {
  /** An integer in [0, k). */
  readonly next: (k: number) => number;
  /** One of xs ('' when xs is empty). */
  readonly pick: (xs: readonly string[]) => string;
}

export function xorshift(seed: number): Draws {
  let s = seed | 0;
  const next = (k: number): number => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) % k;
  };
  return { next, pick: (xs) => xs[next(xs.length)] ?? '' };
}
