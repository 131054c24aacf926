/**
 * Constant-arrival-rate maths. Calls due are a function of the time since the last rate change only,
 * so the rate never drifts and a late tick catches up instead of losing calls.
 */

/** How many calls should have started `elapsedMs` after a rate change, at `rate` calls per `periodMs`. The first starts at once. */
export function callsDue(rate: number, periodMs: number, elapsedMs: number): number {
  if (rate <= 0 || periodMs <= 0 || elapsedMs < 0) return 0;
  // The epsilon keeps an exact boundary (e.g. 3 × 1/3) from rounding down.
  return Math.floor((rate * elapsedMs) / periodMs + 1e-9) + 1;
}
