/**
 * AST → CompiledScenario: labels become step indices, rtd names become indices, messages become
 * segments. Everything the engine needs per call is decided here, once.
 */
import { DiagnosticsError, type Diagnostic } from '../errors.js';
import type { LabelRef, Loc, ScenarioAst, Step } from './ast.js';
import type { CompileScope, TemplateEnv } from './keywords.js';
import type { MediaClip } from '../media/clip.js';
import type { MediaOptions } from './compile-media.js';
import { compileAction, readVar, type ActionCompiler, type CompiledAction, type VarSlot } from './compile-actions.js';
import { compileTemplate, type CompiledTemplate } from './template.js';
import { keepsLastRecv, templateReadsLast } from './last-use.js';
import { buildVarTable, UNEXP_PAUSEDADDR, UNEXP_RETADDR } from './variables.js';
import { loadScenario } from './load.js';
import { parseXml } from './xml.js';
import { StepKind, type CompiledStep, type StepKindValue } from './compiled-step.js';

export { StepKind } from './compiled-step.js';
export type { CompiledStep, StepKindValue } from './compiled-step.js';

/** How a scenario uses SIPp's 3PCC twin channel. */
export interface TwinUse {
  /**
   * The scenario's first twin command. SIPp's rule: 'send', and this side connects to the -3pcc address
   * (its twin must be started first); 'recv', and it listens there. undefined: no twin command.
   */
  readonly first: 'send' | 'recv' | undefined;
  /** Extended 3PCC: instances named by <sendCmd dest>, and by <recvCmd src>. */
  readonly dests: readonly string[];
  readonly srcs: readonly string[];
  /** The scenario starts with a <recvCmd>: a command with a new Call-ID creates a call (SIPp's 3pcc-C-B role). */
  readonly commandCreatesCalls: boolean;
}

/** The messages that default behaviours send, as a <DefaultMessage> gives them; undefined: sipts's own. */
export interface DefaultMessages {
  readonly bye: CompiledTemplate | undefined;
  readonly cancel: CompiledTemplate | undefined;
  readonly ok: CompiledTemplate | undefined;
}

export interface CompiledScenario {
  readonly name: string;
  readonly file: string;
  readonly steps: readonly CompiledStep[];
  readonly rtdNames: readonly string[];
  /** True when the first step is a recv: calls are created by incoming requests (SIPp's server mode). */
  readonly serverMode: boolean;
  /** The request that creates a call in server mode. */
  readonly firstRequest: string;
  /** <init>: run once, in a call of its own, before the first call; jumps stay inside it. */
  readonly initSteps: readonly CompiledStep[];
  readonly defaultMessages: DefaultMessages;
  readonly responseTimeRepartition: readonly number[];
  readonly callLengthRepartition: readonly number[];
  readonly varNames: readonly string[];
  readonly varGlobal: readonly boolean[];
  /** <User> variables, by slot. */
  readonly varUser: readonly boolean[];
  /** -set values, by slot of the global variable. */
  readonly initialGlobals: readonly (string | undefined)[];
  /** For each -inf file, the highest [fieldN] the scenario reads (-1: none): every line needs that many fields. */
  readonly fieldsUsed: readonly number[];
  /** SIPp compat: the step of <label id="_unexp.main"/>, where unexpected messages lead; -1 if none. */
  readonly unexpectedIndex: number;
  readonly counterNames: readonly string[];
  readonly txnNames: readonly string[];
  /** Slots of _unexp.retaddr and _unexp.pausedaddr when there is an _unexp.main handler. */
  readonly unexpectedVars: { readonly retaddr: VarSlot; readonly pausedaddr: VarSlot } | undefined;
  /** By step: a call waiting there may still read its last received message (last-use.ts). */
  readonly keepsLast: readonly boolean[];
  /** What the file holds that sipts reads only for SIPp's sake, by place: the CLI prints them and runs. */
  readonly warnings: readonly Diagnostic[];
  readonly twin: TwinUse;
  /** The scenario plays, streams or echoes RTP: calls need media ports, and the SDP they receive is read. */
  readonly hasMedia: boolean;
  /**
   * Its messages announce [auto_media_port] or [rtpstream_audio_port]/[rtpstream_video_port]: a call's media is
   * bound where its SDP says (SIPp's per-call port).
   */
  readonly usesAutoMediaPort: boolean;
  /**
   * It also names ports two or more above the call's ([rtpstream_video_port], [auto_media_port+2]): a call then
   * needs a block of four ports, which the formula gives (media-runtime.ts binds no pairs ahead for such a run).
   */
  readonly usesMediaPortBlock: boolean;
}

/** Parses, validates and compiles a scenario; throws DiagnosticsError with every problem found. */
export function compileScenarioSource(file: string, source: string, env: TemplateEnv, media: MediaOptions = {}): CompiledScenario {
  const diagnostics: Diagnostic[] = [];
  const doc = parseXml(file, source, diagnostics);
  const ast = loadScenario(doc, diagnostics);
  const report = (offset: number, message: string, hint?: string): void => {
    const { line, col } = doc.lines.position(offset);
    diagnostics.push({ file, line, col, message, sourceLine: doc.lines.lineText(line), ...(hint === undefined ? {} : { hint }) });
  };
  const reportLoc = (loc: Loc, message: string, hint?: string): void => {
    diagnostics.push({
      file,
      line: loc.line,
      col: loc.col,
      message,
      sourceLine: doc.lines.lineText(loc.line),
      ...(hint === undefined ? {} : { hint }),
    });
  };
  const warnLoc = (loc: Loc, message: string): void => {
    diagnostics.push({ file, line: loc.line, col: loc.col, message, sourceLine: doc.lines.lineText(loc.line), severity: 'warning' });
  };
  const warnAt = (offset: number, message: string): void => warnLoc(doc.lines.position(offset), message);
  const mc = { scenarioFile: file, options: media, report, warn: warnAt, cache: new Map<string, MediaClip>() };
  const compiled = ast === undefined ? undefined : compileAst(ast, env, mc, report, reportLoc, warnLoc, warnAt);
  diagnostics.sort((a, b) => a.line - b.line || a.col - b.col);
  if (compiled === undefined || diagnostics.some((d) => d.severity !== 'warning'))
    throw new DiagnosticsError('SCENARIO_INVALID', diagnostics);
  return {
    ...compiled,
    warnings: diagnostics,
    usesAutoMediaPort: /\[(?:auto_media_port|rtpstream_audio_port|rtpstream_video_port)[\]+-]/.test(source),
    usesMediaPortBlock: /\[(?:rtpstream_video_port|(?:auto_media_port|rtpstream_audio_port)\s*\+\s*(?:[2-9]|\d\d))/.test(source),
  };
}

function compileAst(
  ast: ScenarioAst,
  env: TemplateEnv,
  media: ActionCompiler['media'],
  report: (offset: number, m: string, h?: string) => void,
  reportLoc: (loc: Loc, m: string, h?: string) => void,
  warnLoc: (loc: Loc, m: string) => void,
  warnAt: (offset: number, m: string) => void,
): Omit<CompiledScenario, 'warnings' | 'usesAutoMediaPort' | 'usesMediaPortBlock'> | undefined {
  // Labels point at the step that follows them. <init> has labels of its own (SIPp: initLabelMap).
  const labelsOf = (list: readonly Step[]): Map<string, number> => {
    const labels = new Map<string, number>();
    let index = 0;
    for (const s of list) {
      if (s.kind === 'label') {
        if (labels.has(s.id)) reportLoc(s.loc, `label "${s.id}" is defined twice`, 'give each <label> a unique id');
        else labels.set(s.id, index);
      } else index++;
    }
    return labels;
  };
  const labels = labelsOf(ast.steps);
  const initLabels = labelsOf(ast.initSteps);
  const resolverOf =
    (labels: Map<string, number>) =>
    (ref: LabelRef | undefined): number => {
      if (ref === undefined) return -1;
      const at = labels.get(ref.label);
      if (at === undefined) {
        const known = [...labels.keys()];
        reportLoc(
          ref.loc,
          `label "${ref.label}" is not defined`,
          known.length > 0 ? `defined labels: ${known.join(', ')}` : 'add <label id="…"/> where the jump should land',
        );
        return -1;
      }
      return at;
    };
  const vars = buildVarTable(ast, Object.keys(env.globals));
  const fieldsUsed = env.injectionFiles.map(() => -1);
  const scope: CompileScope = {
    slot: vars.slot,
    global: vars.global,
    injectionFiles: env.injectionFiles,
    useField: (file, field) => {
      fieldsUsed[file] = Math.max(fieldsUsed[file] ?? -1, field);
    },
    warn: warnAt,
  };
  const ac: ActionCompiler = { env, vars, scope, report, reportLoc, media };
  const counterNames: string[] = [];
  const txnNames: string[] = [];
  const indexIn = (list: string[], name: string | undefined): number => {
    if (name === undefined) return -1;
    let i = list.indexOf(name);
    if (i < 0) {
      i = list.length;
      list.push(name);
    }
    return i;
  };
  for (const s of ast.steps) {
    if (s.kind === 'recv' && s.responseTxn !== undefined && !ast.steps.some((x) => x.kind === 'send' && x.startTxn === s.responseTxn)) {
      reportLoc(
        s.loc,
        `response_txn="${s.responseTxn}" names no transaction`,
        `add start_txn="${s.responseTxn}" to the <send> of the request`,
      );
    }
  }
  const rtdNames: string[] = [];
  const rtd = (name: string | undefined): number => {
    if (name === undefined) return -1;
    let i = rtdNames.indexOf(name);
    if (i < 0) {
      i = rtdNames.length;
      rtdNames.push(name);
    }
    return i;
  };

  const compileSteps = (list: readonly Step[], resolve: (ref: LabelRef | undefined) => number): CompiledStep[] => {
    const steps: CompiledStep[] = [];
    for (const s of list) {
      if (s.kind === 'label') continue;
      const base = {
        loc: s.loc,
        nextIndex: resolve(s.next),
        startRtd: rtd(s.startRtd),
        rtd: rtd(s.rtd),
        template: undefined,
        retransMs: 0,
        lostPercent: -1,
        responseCode: 0,
        requestMethod: '',
        requestPattern: undefined,
        responsePattern: undefined,
        optional: false,
        optionalGlobal: false,
        timeoutMs: 0,
        onTimeoutIndex: -1,
        rrs: false,
        pauseMs: -1,
        pauseDistribution: undefined,
        timewait: false,
        actions: s.actions.map((a) => compileAction(ac, a)).filter((a): a is CompiledAction => a !== undefined),
        test: s.test === undefined ? undefined : readVar(ac, s.test),
        chance: s.chance,
        counter: indexIn(counterNames, s.counter),
        repeatRtd: s.repeatRtd,
        startTxn: s.kind === 'send' ? indexIn(txnNames, s.startTxn) : -1,
        responseTxn: s.kind === 'recv' ? indexIn(txnNames, s.responseTxn) : -1,
        condexec: s.condexec === undefined ? undefined : readVar(ac, s.condexec),
        condexecInverse: s.condexecInverse,
        hide: s.hide,
        display: s.display ?? '',
        crlf: s.crlf,
        sendTimeoutMs: 0,
        advanceState: true,
        ignoreSdp: false,
        pauseVar: undefined,
        peer: '',
      };
      switch (s.kind) {
        case 'send': {
          const template = compileTemplate(s.template, env, scope, report);
          const first = s.template.text.trim().split(/\s+/, 2);
          const title = first[0] === 'SIP/2.0' ? `${first[1] ?? '?'} ->` : `${first[0] ?? '?'} ->`;
          steps.push({
            ...base,
            kind: StepKind.Send,
            title,
            template,
            retransMs: s.retransMs ?? 0,
            lostPercent: s.lostPercent,
            sendTimeoutMs: s.timeoutMs ?? 0,
          });
          break;
        }
        case 'recv': {
          const title = s.match.type === 'response' ? `<- ${s.match.source ?? s.match.code}` : `<- ${s.match.method}`;
          steps.push({
            ...base,
            kind: StepKind.Recv,
            title,
            lostPercent: s.lostPercent,
            optional: s.optional,
            optionalGlobal: s.optionalGlobal,
            rrs: s.rrs,
            responseCode: s.match.type === 'response' ? s.match.code : 0,
            requestMethod: s.match.type === 'request' ? s.match.method : '',
            requestPattern: s.match.type === 'request' ? s.match.pattern : undefined,
            responsePattern: s.match.type === 'response' ? s.match.pattern : undefined,
            timeoutMs: s.timeoutMs ?? 0,
            onTimeoutIndex: resolve(s.onTimeout),
            advanceState: s.advanceState,
            ignoreSdp: s.ignoreSdp,
          });
          break;
        }
        case 'pause': {
          const title =
            s.variable !== undefined
              ? `${s.timewait ? 'Timewait' : 'Pause'} [$${s.variable.name}]`
              : s.distribution !== undefined
                ? `${s.timewait ? 'Timewait' : 'Pause'} [${s.distribution.kind}]`
                : s.milliseconds === undefined
                  ? s.timewait
                    ? 'Timewait [-d]'
                    : 'Pause [-d]'
                  : `${s.timewait ? 'Timewait' : 'Pause'} [${s.milliseconds}ms]`;
          steps.push({
            ...base,
            kind: StepKind.Pause,
            title,
            pauseMs: s.milliseconds ?? -1,
            pauseDistribution: s.distribution,
            timewait: s.timewait,
            pauseVar: s.variable === undefined ? undefined : readVar(ac, s.variable),
          });
          break;
        }
        case 'nop':
          steps.push({ ...base, kind: StepKind.Nop, title: 'Nop' });
          break;
        case 'sendCmd': {
          const template = compileTemplate(s.template, env, scope, report);
          steps.push({
            ...base,
            kind: StepKind.SendCmd,
            title: `sendCmd${s.peer === undefined ? '' : ` ${s.peer}`} ->`,
            template,
            peer: s.peer ?? '',
          });
          break;
        }
        case 'recvCmd':
          steps.push({
            ...base,
            kind: StepKind.RecvCmd,
            title: `<- recvCmd${s.peer === undefined ? '' : ` ${s.peer}`}`,
            optional: s.optional,
            peer: s.peer ?? '',
            onTimeoutIndex: resolve(s.onTimeout),
          });
          break;
      }
    }
    return steps;
  };
  const steps = compileSteps(ast.steps, resolverOf(labels));
  const initSteps = compileSteps(ast.initSteps, resolverOf(initLabels));
  const defaults = new Map<string, CompiledTemplate>();
  for (const d of ast.defaultMessages) {
    if (defaults.has(d.id)) warnLoc(d.loc, `a second <DefaultMessage id="${d.id}"> replaces the first (as in SIPp)`);
    defaults.set(d.id, compileTemplate(d.template, env, scope, report));
  }
  const defaultMessages: DefaultMessages = { bye: defaults.get('bye'), cancel: defaults.get('cancel'), ok: defaults.get('200') };
  if (steps.length === 0) {
    report(0, 'the scenario has no steps', 'add <send>, <recv> or <pause> elements inside <scenario>');
    return undefined;
  }
  const first = steps[0];
  const serverMode = first !== undefined && first.kind === StepKind.Recv;
  if (serverMode && first.responseCode !== 0)
    reportLoc(first.loc, 'a scenario that starts by receiving must start with a request', 'start with e.g. <recv request="INVITE"/>');
  return {
    name: ast.name,
    file: ast.file,
    steps,
    rtdNames,
    serverMode,
    firstRequest: first?.requestMethod ?? '',
    initSteps,
    defaultMessages,
    responseTimeRepartition: ast.responseTimeRepartition,
    callLengthRepartition: ast.callLengthRepartition,
    varNames: vars.names,
    varGlobal: vars.global,
    varUser: vars.user,
    initialGlobals: vars.names.map((n) => env.globals[n]),
    fieldsUsed,
    unexpectedIndex: labels.get('_unexp.main') ?? -1,
    counterNames,
    txnNames,
    unexpectedVars: labels.has('_unexp.main')
      ? {
          retaddr: { slot: vars.slot(UNEXP_RETADDR) ?? 0, global: false },
          pausedaddr: { slot: vars.slot(UNEXP_PAUSEDADDR) ?? 0, global: false },
        }
      : undefined,
    // A <DefaultMessage> bye or cancel may read the last message received ([last_From:] …) whenever a call aborts.
    keepsLast: [defaultMessages.bye, defaultMessages.cancel].some((t) => t !== undefined && templateReadsLast(t))
      ? steps.map(() => true)
      : keepsLastRecv(steps),
    twin: twinUse(steps),
    hasMedia: [...steps, ...initSteps].some((s) => s.actions.some((a) => a.kind === 'media' || a.kind === 'echoSwitch')),
  };
}

/** SIPp compat (scenario.cpp computeSippMode): the first twin command decides who connects and who listens. */
function twinUse(steps: readonly CompiledStep[]): TwinUse {
  const cmd = steps.find((s) => s.kind === StepKind.SendCmd || s.kind === StepKind.RecvCmd);
  const names = (kind: StepKindValue): string[] => [...new Set(steps.filter((s) => s.kind === kind && s.peer !== '').map((s) => s.peer))];
  return {
    first: cmd === undefined ? undefined : cmd.kind === StepKind.SendCmd ? 'send' : 'recv',
    dests: names(StepKind.SendCmd),
    srcs: names(StepKind.RecvCmd),
    commandCreatesCalls: steps[0]?.kind === StepKind.RecvCmd,
  };
}
