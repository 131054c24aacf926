/** Actions → their runtime form: variable slots resolved, regexps compiled once, texts compiled to segments. */
import type { Action, Arith, Check, Compare, IntCmd, Operand, SearchIn } from './action-ast.js';
import type { Distribution } from '../load/distributions.js';
import type { Loc, VarRef } from './ast.js';
import { injectionFileIndex, type CompileScope, type TemplateEnv } from './keywords.js';
import { compileMedia, type CompiledMedia, type MediaCompiler } from './compile-media.js';
import { compileRegex } from './regex.js';
import type { Segment } from './segment.js';
import { compileText, type ReportAt } from './template.js';
import type { VarTable } from './variables.js';

/** Where a variable lives: a call's slot, or the run's for <Global> ones. */
export interface VarSlot {
  readonly slot: number;
  readonly global: boolean;
}

/** A literal (as number and as string) or a variable. */
export interface CompiledOperand {
  readonly variable: VarSlot | undefined;
  readonly num: number;
  readonly str: string;
}

export type CompiledAction =
  | {
      readonly kind: 'ereg';
      readonly re: RegExp;
      readonly searchIn: SearchIn;
      readonly header: string;
      readonly source: VarSlot | undefined;
      readonly occurrence: number;
      readonly caseIndep: boolean;
      readonly startLine: boolean;
      readonly checkIt: boolean;
      readonly checkItInverse: boolean;
      readonly assignTo: readonly VarSlot[];
    }
  | { readonly kind: 'assign'; readonly to: VarSlot; readonly value: CompiledOperand }
  | { readonly kind: 'assignstr'; readonly to: VarSlot; readonly text: readonly Segment[] }
  | { readonly kind: 'arith'; readonly op: Arith; readonly to: VarSlot; readonly value: CompiledOperand }
  | { readonly kind: 'todouble'; readonly to: VarSlot; readonly from: VarSlot }
  | {
      readonly kind: 'test';
      readonly to: VarSlot | undefined;
      readonly from: VarSlot;
      readonly compare: Compare;
      readonly value: CompiledOperand;
      readonly check: Check;
    }
  | {
      readonly kind: 'strcmp';
      readonly to: VarSlot | undefined;
      readonly from: VarSlot;
      readonly value: CompiledOperand;
      readonly check: Check;
    }
  | { readonly kind: 'closecon' }
  | { readonly kind: 'log'; readonly level: 'log' | 'warning' | 'error'; readonly text: readonly Segment[] }
  | { readonly kind: 'exec'; readonly command: readonly Segment[] | undefined; readonly intCmd: IntCmd | undefined }
  | { readonly kind: 'media'; readonly media: CompiledMedia }
  /** <rtp_echo>: the call's echo on (non-zero) or off. */
  | { readonly kind: 'echoSwitch'; readonly value: CompiledOperand }
  | { readonly kind: 'jump'; readonly value: CompiledOperand }
  | { readonly kind: 'pauserestore'; readonly value: CompiledOperand }
  | { readonly kind: 'index'; readonly to: VarSlot }
  | { readonly kind: 'gettimeofday'; readonly to: readonly VarSlot[] }
  | { readonly kind: 'lookup'; readonly to: VarSlot; readonly file: number; readonly key: readonly Segment[] }
  | { readonly kind: 'insert'; readonly file: number; readonly value: readonly Segment[] }
  | { readonly kind: 'replace'; readonly file: number; readonly line: readonly Segment[]; readonly value: readonly Segment[] }
  | { readonly kind: 'setdest'; readonly host: readonly Segment[]; readonly port: readonly Segment[]; readonly protocol: string }
  | { readonly kind: 'sample'; readonly to: VarSlot; readonly distribution: Distribution }
  | { readonly kind: 'verifyauth'; readonly to: VarSlot; readonly username: readonly Segment[]; readonly password: readonly Segment[] }
  | { readonly kind: 'strfn'; readonly fn: 'urlencode' | 'urldecode' | 'trim'; readonly v: VarSlot };

export interface ActionCompiler {
  readonly env: TemplateEnv;
  readonly vars: VarTable;
  readonly scope: CompileScope;
  readonly report: ReportAt;
  readonly reportLoc: (loc: Loc, message: string, hint?: string) => void;
  readonly media: Omit<MediaCompiler, 'compileText'>;
}

/** Resolves a variable that is read: an error at its place when nothing ever assigns it. */
export function readVar(c: ActionCompiler, ref: VarRef): VarSlot {
  const slot = c.vars.slot(ref.name);
  if (slot === undefined) {
    c.reportLoc(
      ref.loc,
      `variable "${ref.name}" is used but never assigned`,
      `assign it with an action, declare it with <Global variables="${ref.name}"/>, or give it with -set ${ref.name} VALUE`,
    );
    return { slot: 0, global: false };
  }
  return { slot, global: c.vars.global[slot] === true };
}

/** Every assigned variable has a slot (buildVarTable gave it one). */
const writeVar = (c: ActionCompiler, ref: VarRef): VarSlot => readVar(c, ref);

function operand(c: ActionCompiler, o: Operand): CompiledOperand {
  if ('variable' in o) return { variable: readVar(c, o.variable), num: 0, str: '' };
  return { variable: undefined, num: Number(o.literal), str: o.literal };
}

export function compileAction(c: ActionCompiler, a: Action): CompiledAction | undefined {
  switch (a.kind) {
    case 'ereg': {
      // SIPp compat: case_indep is for finding the header, not for the regexp.
      const re = compileRegex(a.regexp, false);
      if (!re.ok) {
        c.report(a.regexpOffset, `regexp does not compile: ${re.error}`, 'SIPp regexps are POSIX extended regular expressions');
        return undefined;
      }
      return {
        kind: 'ereg',
        re: re.re,
        searchIn: a.searchIn,
        header: a.header ?? '',
        source: a.variable === undefined ? undefined : readVar(c, a.variable),
        occurrence: a.occurrence,
        caseIndep: a.caseIndep,
        startLine: a.startLine,
        checkIt: a.checkIt,
        checkItInverse: a.checkItInverse,
        assignTo: a.assignTo.map((r) => writeVar(c, r)),
      };
    }
    case 'assign':
      return { kind: 'assign', to: writeVar(c, a.assignTo), value: operand(c, a.value) };
    case 'assignstr':
      return { kind: 'assignstr', to: writeVar(c, a.assignTo), text: compileText(a.value, c.env, c.scope, c.report) };
    case 'arith':
      return { kind: 'arith', op: a.op, to: writeVar(c, a.assignTo), value: operand(c, a.value) };
    case 'todouble':
      return { kind: 'todouble', to: writeVar(c, a.assignTo), from: readVar(c, a.variable) };
    case 'test':
      return {
        kind: 'test',
        to: a.assignTo === undefined ? undefined : writeVar(c, a.assignTo),
        from: readVar(c, a.variable),
        compare: a.compare,
        value: operand(c, a.value),
        check: a.check,
      };
    case 'strcmp':
      return {
        kind: 'strcmp',
        to: a.assignTo === undefined ? undefined : writeVar(c, a.assignTo),
        from: readVar(c, a.variable),
        value: operand(c, a.value),
        check: a.check,
      };
    case 'closecon':
      return { kind: 'closecon' };
    case 'log':
      return { kind: 'log', level: a.level, text: compileText(a.message, c.env, c.scope, c.report) };
    case 'exec':
      return {
        kind: 'exec',
        command: a.command === undefined ? undefined : compileText(a.command, c.env, c.scope, c.report),
        intCmd: a.intCmd,
      };
    case 'media': {
      if (a.media.op === 'echoSwitch') return { kind: 'echoSwitch', value: operand(c, a.media.value) };
      const media = compileMedia({ ...c.media, compileText: (t) => compileText(t, c.env, c.scope, c.report) }, a.media);
      return media === undefined ? undefined : { kind: 'media', media };
    }
    case 'jump':
      return { kind: 'jump', value: operand(c, a.value) };
    case 'pauserestore':
      return { kind: 'pauserestore', value: operand(c, a.value) };
    case 'index':
      return { kind: 'index', to: writeVar(c, a.assignTo) };
    case 'gettimeofday':
      return { kind: 'gettimeofday', to: a.assignTo.map((r) => writeVar(c, r)) };
    case 'strfn':
      return { kind: 'strfn', fn: a.fn, v: readVar(c, a.variable) };
    case 'sample':
      return { kind: 'sample', to: writeVar(c, a.assignTo), distribution: a.distribution };
    case 'lookup':
    case 'insert':
    case 'replace': {
      const file = injectionFileIndex(c.scope, a.file);
      if (file < 0) {
        c.report(
          a.fileOffset,
          `file="${a.file}" is not given with -inf`,
          c.scope.injectionFiles.length > 0 ? `-inf files: ${c.scope.injectionFiles.join(', ')}` : `add -inf ${a.file}`,
        );
        return undefined;
      }
      const text = (t: { text: string; offset: number }): readonly Segment[] => compileText(t, c.env, c.scope, c.report);
      if (a.kind === 'lookup') return { kind: 'lookup', to: writeVar(c, a.assignTo), file, key: text(a.key) };
      if (a.kind === 'insert') return { kind: 'insert', file, value: text(a.value) };
      return { kind: 'replace', file, line: text(a.line), value: text(a.value) };
    }
    case 'setdest':
      return {
        kind: 'setdest',
        host: compileText(a.host, c.env, c.scope, c.report),
        port: compileText(a.port, c.env, c.scope, c.report),
        protocol: a.protocol.toUpperCase(),
      };
    case 'verifyauth':
      return {
        kind: 'verifyauth',
        to: writeVar(c, a.assignTo),
        username: compileText(a.username, c.env, c.scope, c.report),
        password: compileText(a.password, c.env, c.scope, c.report),
      };
  }
}
