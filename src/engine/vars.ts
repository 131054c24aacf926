/** A call's variables by slot: its own, or the run's globals. */
import type { VarSlot } from '../scenario/compile-actions.js';
import type { VarValue } from './var-value.js';
import type { CallState } from './call.js';

export function getVar(call: CallState, v: VarSlot): VarValue {
  return v.global ? call.globals[v.slot] : call.vars[v.slot];
}

export function setVar(call: CallState, v: VarSlot, value: VarValue): void {
  if (v.global) call.globals[v.slot] = value;
  else call.vars[v.slot] = value;
}
