/**
 * Scenario variables: every name gets a slot at compile time. A variable that is read somewhere must be
 * written somewhere (an action's assign_to, <Global>/<User>/<Reference>, or -set), else it is an error at
 * the place it is read.
 */
import type { Action } from './action-ast.js';
import type { ScenarioAst, VarRef } from './ast.js';

export const UNEXP_RETADDR = '_unexp.retaddr';
export const UNEXP_PAUSEDADDR = '_unexp.pausedaddr';

export interface VarTable {
  /** Slot of a defined variable, or undefined. */
  readonly slot: (name: string) => number | undefined;
  readonly names: readonly string[];
  /** True for <Global> variables: one value shared by every call. */
  readonly global: readonly boolean[];
  /** True for <User> variables: kept from one call of a -users user to its next. */
  readonly user: readonly boolean[];
}

/** Names an action writes. */
export function assignedBy(a: Action): readonly VarRef[] {
  switch (a.kind) {
    case 'ereg':
    case 'gettimeofday':
      return a.assignTo;
    case 'assign':
    case 'assignstr':
    case 'arith':
    case 'todouble':
    case 'verifyauth':
    case 'sample':
    case 'lookup':
    case 'index':
      return [a.assignTo];
    case 'test':
    case 'strcmp':
      return a.assignTo === undefined ? [] : [a.assignTo];
    case 'strfn':
      return [a.variable];
    case 'log':
    case 'exec':
    case 'jump':
    case 'pauserestore':
    case 'insert':
    case 'replace':
    case 'setdest':
    case 'closecon':
    case 'media':
      return [];
  }
}

export function buildVarTable(ast: ScenarioAst, externallySet: readonly string[]): VarTable {
  const names: string[] = [];
  const global: boolean[] = [];
  const user: boolean[] = [];
  const slots = new Map<string, number>();
  const define = (name: string, isGlobal: boolean, isUser = false): void => {
    const at = slots.get(name);
    if (at !== undefined) {
      if (isGlobal) global[at] = true;
      if (isUser) user[at] = true;
      return;
    }
    slots.set(name, names.length);
    names.push(name);
    global.push(isGlobal);
    user.push(isUser);
  };
  for (const d of ast.declared) define(d.ref.name, d.scope === 'global', d.scope === 'user');
  // SIPp compat: with an _unexp.main handler, these tell it where the call was interrupted.
  if (ast.steps.some((s) => s.kind === 'label' && s.id === '_unexp.main')) {
    define(UNEXP_RETADDR, false);
    define(UNEXP_PAUSEDADDR, false);
  }
  for (const name of externallySet) define(name, true);
  for (const s of [...ast.initSteps, ...ast.steps]) {
    if (s.kind === 'label') continue;
    for (const a of s.actions) for (const ref of assignedBy(a)) define(ref.name, false);
  }
  return { slot: (n) => slots.get(n), names, global, user };
}
