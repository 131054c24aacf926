/**
 * A run split N ways (`-workers N`): each part's share of what adds up (calls, the -l limit, -users, the
 * arrival sequence of the rate, injection lines). The model is k6's execution segments: the parts stripe one
 * sequence, part k taking items k, k+N, k+2N …, so the shares add up to the whole exactly, at every moment,
 * and the first parts take the remainder (-m 2001 over 2: 1001 + 1000).
 */

/** Part `index` (0-based) of `of` parts; { index: 0, of: 1 } is the whole run. */
export interface Share {
  readonly index: number;
  readonly of: number;
}

export const WHOLE: Share = { index: 0, of: 1 };

/**
 * How many of the items 0 … total−1 fall in this part's stripe (i ≡ index mod of): ⌈(total − index) / of⌉.
 * Over the parts these add up to `total` exactly. `total` is a count: negative or fractional ones are floored at 0.
 */
export function shareOf(total: number, share: Share): number {
  const t = Math.max(0, Math.floor(total));
  if (share.of <= 1) return t;
  return Math.max(0, Math.ceil((t - share.index) / share.of));
}

/** Every part's share of `total`, in part order. */
export function splitCount(total: number, parts: number): number[] {
  return Array.from({ length: parts }, (_v, index) => shareOf(total, { index, of: parts }));
}

/** The `n`th item (0-based) of the part's stripe of the whole sequence. */
export function stripeItem(n: number, share: Share): number {
  return share.index + n * share.of;
}

/**
 * Part `inner` of part `outer`: worker k of W inside segment I of N (--segment with -workers). The outer part's
 * items are I, I+N, I+2N …; the inner part takes every W-th of those from its k-th, that is the items
 * I + kN + m·NW: part I + kN of N·W. So a segment reads the same calls, lines and users whether it runs in one
 * engine or in W (its stripe of N, striped again), and the shares of all segments' workers still add up exactly.
 */
export function nestShare(outer: Share, inner: Share): Share {
  if (outer.of <= 1) return inner;
  if (inner.of <= 1) return outer;
  return { index: outer.index + inner.index * outer.of, of: outer.of * inner.of };
}

/**
 * This part's slice of a port range (--segment: the RTP ports -min_rtp_port … -max_rtp_port), so that the
 * segments of one run on one host never bind the same media ports: equal slices of whole RTP/RTCP pairs, the
 * last part taking what is left. A range too small to give each part a pair is left whole.
 */
export function shareRange(min: number, max: number, share: Share): { min: number; max: number } {
  if (share.of <= 1) return { min, max };
  const pairs = Math.floor((max - min + 1) / 2 / share.of);
  if (pairs < 1) return { min, max };
  const lo = min + share.index * pairs * 2;
  return { min: lo, max: share.index === share.of - 1 ? max : lo + pairs * 2 - 1 };
}
