/** How long a <pause> lasts, as SIPp computes it: from a distribution, from a variable, capped at INT_MAX ms. */
import { sample, type Distribution } from '../load/distributions.js';
import type { VarValue } from './var-value.js';

/** SIPp caps every pause at INT_MAX ms. */
export const INT_MAX = 2 ** 31 - 1;

/** SIPp compat (call.cpp, executeMessage): a sampled pause is cut to whole ms; under 1 ms (or NaN) is none. */
export function sampledPauseMs(d: Distribution, random: () => number): number {
  const v = sample(d, random);
  return v >= 1 ? Math.min(Math.floor(v), INT_MAX) : 0;
}

/** <pause variable>: SIPp reads the variable as a number of ms (a string as C's strtod would; unset: 0). */
export function pauseFromVar(v: VarValue): number {
  const n = typeof v === 'number' ? v : typeof v === 'boolean' ? Number(v) : v === undefined ? 0 : Number.parseFloat(v);
  return Number.isFinite(n) && n > 0 ? Math.floor(n) : 0;
}
