/** What a scenario variable holds while a call runs, and how it prints (in messages, logs, screens). */

/** A variable's value: a string (regexp match, assignstr), a number (assign, arithmetic), a boolean (test). */
export type VarValue = string | number | boolean | undefined;

/** SIPp compat: numbers print with six decimals (C's %lf), booleans as true/false, unset as nothing. */
export function formatVar(v: VarValue): string {
  if (v === undefined) return '';
  if (typeof v === 'number') return v.toFixed(6);
  return typeof v === 'boolean' ? (v ? 'true' : 'false') : v;
}
