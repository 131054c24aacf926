/**
 * Element tree → typed steps. Checks element names, attribute names and values, and reports every
 * problem at once with its place. Labels and variables are resolved in compile.ts.
 */
import type { Diagnostic } from '../errors.js';
import type { Action } from './action-ast.js';
import type { LabelStep, NopStep, RecvMatch, ScenarioAst, Step } from './ast.js';
import { AttrReader } from './attrs.js';
import { loadActions } from './load-actions.js';
import type { XmlDocument, XmlElement } from './xml.js';
import { messageOf } from '../thrown.js';

const COMMON = [
  'next',
  'test',
  'chance',
  'start_rtd',
  'rtd',
  'repeat_rtd',
  'counter',
  'crlf',
  'display',
  'hide',
  'hiderest',
  'condexec',
  'condexec_inverse',
] as const;

// normal … gamma: SIPp's old-style pause, where the attribute's presence names the distribution.
const PAUSE_ATTRS = [
  ...COMMON,
  'milliseconds',
  'variable',
  'sanity_check',
  'distribution',
  'value',
  'min',
  'max',
  'mean',
  'stdev',
  'lambda',
  'k',
  'x_m',
  'theta',
  'n',
  'p',
  'shape',
  'scale',
  'location',
  'normal',
  'exponential',
  'lognormal',
  'weibull',
  'pareto',
  'gamma',
];

/** The attributes each step element accepts. */
const ATTRS: Readonly<Record<string, readonly string[]>> = {
  // ack_txn names the transaction an ACK belongs to; sipts's ACKs take their branch from [branch-N], so it is accepted as is.
  send: [...COMMON, 'retrans', 'lost', 'start_txn', 'ack_txn', 'timeout'],
  // ignoresdp: SIPp does not take the media address from the SDP of what this step receives (media.received).
  // auth="true" told SIPp to keep the challenge; sipts always answers the last one, so it is accepted as is.
  recv: [
    ...COMMON,
    'response',
    'request',
    'optional',
    'rrs',
    'lost',
    'timeout',
    'ontimeout',
    'ignoresdp',
    'auth',
    'response_txn',
    'regexp_match',
    'advance_state',
  ],
  pause: PAUSE_ATTRS,
  // SIPp reads a <timewait>'s length as a <pause>'s.
  timewait: PAUSE_ATTRS,
  nop: [...COMMON],
  label: ['id'],
  // 3PCC: SIPp reads optional= on a <recvCmd>, as on a <recv>, and ontimeout= (its timeout is -recv_timeout's).
  sendCmd: [...COMMON, 'dest'],
  recvCmd: [...COMMON, 'src', 'optional', 'ontimeout'],
};

/** SIPp attributes this version recognises but does not implement yet: refused with a clear message. */
const NOT_YET: ReadonlySet<string> = new Set(['dialog']);
/** SIPp's default messages (call.cpp's default_message_names), and those sipts sends (hangUp, answers to unexpected BYE/CANCEL, -aa). */
const DEFAULT_MESSAGE_IDS = ['3pcc_abort', 'ack', 'ack2', 'bye', 'cancel', '200'] as const;
const DEFAULT_MESSAGES_SENT: readonly string[] = ['bye', 'cancel', '200'];
const DECLARATIONS = { Global: 'global', User: 'user', Reference: 'reference' } as const;

export function loadScenario(doc: XmlDocument, diagnostics: Diagnostic[]): ScenarioAst | undefined {
  const r = new AttrReader(doc, diagnostics);
  const root = doc.root;
  if (root === undefined) {
    if (!doc.recovered) r.report(0, 'no <scenario> element', 'a scenario file holds one <scenario name="…"> element');
    return undefined;
  }
  if (root.name !== 'scenario') {
    r.report(root.offset, `the root element is <${root.name}>, expected <scenario>`, 'wrap the steps in <scenario name="…"> … </scenario>');
    return undefined;
  }

  const steps: Step[] = [];
  const initSteps: (NopStep | LabelStep)[] = [];
  const defaultMessages: ScenarioAst['defaultMessages'][number][] = [];
  const rtr: number[] = [];
  const clr: number[] = [];
  const declared: ScenarioAst['declared'][number][] = [];
  // SIPp compat: hiderest="true" hides this step and every later one, until a hiderest="false".
  let hideDefault = false;

  const visit = (el: XmlElement, into: Step[] = steps): void => {
    const name = el.name;
    if (name === 'ResponseTimeRepartition' || name === 'CallLengthRepartition') {
      const v = el.attrs.get('value');
      const nums = (v?.value ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== '')
        .map(Number);
      if (v === undefined || nums.length === 0 || nums.some((n) => !Number.isInteger(n) || n <= 0)) {
        r.report(
          v?.offset ?? el.offset,
          `<${name}> needs value="…" with a list of positive whole numbers of ms`,
          `e.g. <${name} value="10, 20, 30, 40, 50"/>`,
        );
      } else (name === 'ResponseTimeRepartition' ? rtr : clr).push(...nums);
      return;
    }
    if (name in DECLARATIONS) {
      r.checkNames(el, ['variables'], new Set());
      const vars = r.variables(r.required(el, 'variables', `<${name} variables="a,b"/>`), 'variables') ?? [];
      for (const ref of vars) declared.push({ ref, scope: DECLARATIONS[name as keyof typeof DECLARATIONS] });
      return;
    }
    if (name === 'init') {
      // SIPp runs these once, in a call of their own, before the first call: only <nop> and <label>.
      r.checkNames(el, [], new Set());
      for (const c of el.children) {
        if (c.name === 'nop' || c.name === 'label') visit(c, initSteps);
        else r.report(c.offset, `<${c.name}> cannot be part of <init>`, '<init> holds only <nop> (with actions) and <label> elements');
      }
      return;
    }
    if (name === 'DefaultMessage') {
      r.checkNames(el, ['id'], new Set());
      const id = r.choice(r.required(el, 'id', '<DefaultMessage id="bye"><![CDATA[ … ]]></DefaultMessage>'), 'id', DEFAULT_MESSAGE_IDS);
      // SIPp reads it as a <send>'s message: from a CDATA section ("No CDATA in 'send' section" otherwise).
      if (!el.cdata || el.text.trim() === '')
        r.report(
          el.offset,
          '<DefaultMessage> has no message in <![CDATA[ … ]]>',
          'put the SIP message in <![CDATA[ … ]]> inside <DefaultMessage>',
        );
      else if (id !== undefined) {
        defaultMessages.push({ id, loc: r.loc(el.offset), template: { text: el.text, offset: el.textOffset } });
        if (!DEFAULT_MESSAGES_SENT.includes(id))
          r.warn(el.offset, `<DefaultMessage id="${id}"> is read, but sipts never sends that default message`);
      }
      return;
    }
    const known = ATTRS[name];
    if (known === undefined) {
      r.report(el.offset, `unknown element <${name}>`, `a scenario step is one of: ${Object.keys(ATTRS).join(', ')}`);
      return;
    }
    r.checkNames(el, known, NOT_YET);
    const a = (n: string) => el.attrs.get(n);
    const loc = r.loc(el.offset);
    // After a syntax error (an unclosed tag) later steps sit nested inside this one: they are lifted back
    // out and checked as the siblings they were meant to be; the syntax error is already reported.
    const nestedSteps = doc.recovered ? el.children.filter((c) => c.name in ATTRS) : [];
    const actions: Action[] = [];
    // SIPp compat: SIPp reads a step's actions from its first child element when that is <action>, and never
    // looks at the other children: each is ignored, with a warning (a second <action> too, whose actions SIPp never runs).
    const children = el.children.filter((c) => !nestedSteps.includes(c));
    children.forEach((c, i) => {
      if (i === 0 && c.name === 'action' && name !== 'label') actions.push(...loadActions(c, r));
      else if (c.name === 'action' && name !== 'label')
        r.warn(
          c.offset,
          `this <action> is ignored: SIPp reads only the first child element of <${name}>, and runs no action from another`,
          i === 1 && children[0]?.name === 'action'
            ? 'move its actions into the first <action>'
            : `make <action> the first element inside <${name}>`,
        );
      else r.warn(c.offset, `<${c.name}> inside <${name}> is ignored, as SIPp ignores it`, `remove it, or move it out of <${name}>`);
    });
    if (name === 'label') {
      const id = a('id');
      if (id === undefined || id.value.trim() === '') r.report(el.offset, '<label> needs an id', 'write <label id="name"/>');
      else into.push({ kind: 'label', loc, id: id.value.trim() });
    } else {
      const rtdName = (v: string | undefined): string | undefined => {
        const t = v?.trim();
        // SIPp compat: rtd="true" means response time 1.
        return t === 'true' ? '1' : t === undefined || t === '' || t === 'false' ? undefined : t;
      };
      if (a('hiderest') !== undefined) hideDefault = r.bool(a('hiderest'), 'hiderest');
      const common = {
        loc,
        actions,
        next: r.label(a('next'), 'next'),
        test: r.variable(a('test'), 'test'),
        chance: r.fraction(a('chance'), 'chance', 1) ?? 1,
        // SIPp compat: crlf takes no value; its presence asks for the blank line, whatever it says.
        startRtd: rtdName(a('start_rtd')?.value),
        rtd: rtdName(a('rtd')?.value),
        crlf: a('crlf') !== undefined,
        hide: a('hide') === undefined ? hideDefault : r.bool(a('hide'), 'hide'),
        display: a('display')?.value,
        condexec: r.variable(a('condexec'), 'condexec'),
        condexecInverse: r.bool(a('condexec_inverse'), 'condexec_inverse'),
        counter: a('counter')?.value.trim() || undefined,
        repeatRtd: r.bool(a('repeat_rtd'), 'repeat_rtd'),
        startTxn: a('start_txn')?.value.trim() || undefined,
        responseTxn: a('response_txn')?.value.trim() || undefined,
      };
      if (name === 'send') {
        // SIPp refuses a <send> whose message is not in a CDATA section ("No CDATA in 'send' section").
        if (!el.cdata)
          r.report(
            el.offset,
            el.text.trim() === '' ? '<send> has no message' : '<send> has its message outside <![CDATA[ … ]]>, which SIPp refuses',
            'put the SIP message in <![CDATA[ … ]]> inside <send>',
          );
        else if (el.text.trim() === '')
          r.report(el.offset, '<send> has no message', 'put the SIP message in <![CDATA[ … ]]> inside <send>');
        into.push({
          ...common,
          kind: 'send',
          template: { text: el.text, offset: el.textOffset },
          retransMs: r.ms(a('retrans'), 'retrans'),
          lostPercent: r.fraction(a('lost'), 'lost', 100) ?? -1,
          timeoutMs: r.ms(a('timeout'), 'timeout'),
        });
      } else if (name === 'recv') {
        const match = recvMatch(el, r);
        if (match !== undefined) {
          const opt = a('optional');
          const optional = opt?.value.trim() === 'global' ? true : r.bool(opt, 'optional');
          const advance = a('advance_state');
          const advanceState = advance === undefined || r.bool(advance, 'advance_state');
          if (!advanceState && !optional)
            r.report(
              advance.offset,
              'advance_state="false" is allowed only on an optional <recv>',
              'add optional="true", or remove advance_state',
            );
          into.push({
            ...common,
            kind: 'recv',
            match,
            optional,
            optionalGlobal: opt?.value.trim() === 'global',
            timeoutMs: r.ms(a('timeout'), 'timeout'),
            onTimeout: r.label(a('ontimeout'), 'ontimeout'),
            rrs: r.bool(a('rrs'), 'rrs'),
            lostPercent: r.fraction(a('lost'), 'lost', 100) ?? -1,
            advanceState,
            ignoreSdp: r.bool(a('ignoresdp'), 'ignoresdp'),
          });
        }
      } else if (name === 'sendCmd') {
        if (el.text.trim() === '')
          r.report(
            el.offset,
            '<sendCmd> has no command',
            'put the command in <![CDATA[ … ]]> inside <sendCmd>, at least Call-ID: [call_id]',
          );
        steps.push({
          ...common,
          kind: 'sendCmd',
          template: { text: el.text, offset: el.textOffset },
          peer: a('dest')?.value.trim() || undefined,
        });
      } else if (name === 'recvCmd') {
        steps.push({
          ...common,
          kind: 'recvCmd',
          optional: r.bool(a('optional'), 'optional'),
          peer: a('src')?.value.trim() || undefined,
          onTimeout: r.label(a('ontimeout'), 'ontimeout'),
        });
      } else if (name === 'pause' || name === 'timewait') {
        // sanity_check="false" lets SIPp accept a distribution whose 99th percentile passes INT_MAX ms; sipts
        // makes no such check (every pause is capped at INT_MAX ms, as SIPp caps them), so it is only read.
        r.bool(a('sanity_check'), 'sanity_check');
        const variable = r.variable(a('variable'), 'variable');
        if (variable !== undefined && (a('milliseconds') !== undefined || a('distribution') !== undefined)) {
          r.warn(
            a('variable')?.offset ?? el.offset,
            `<${name} variable="…"> takes its length from the variable; milliseconds/distribution are ignored (as SIPp does)`,
          );
        }
        into.push({
          ...common,
          kind: 'pause',
          milliseconds: r.ms(a('milliseconds'), 'milliseconds'),
          timewait: name === 'timewait',
          distribution: variable !== undefined ? undefined : r.pauseDistribution(el),
          variable,
        });
      } else {
        into.push({ ...common, kind: 'nop' });
      }
    }
    for (const c of nestedSteps) visit(c, into);
  };
  for (const el of root.children) visit(el);
  const scenarioName = root.attrs.get('name')?.value ?? doc.file.replace(/^.*\//, '').replace(/\.xml$/i, '');
  return {
    file: doc.file,
    name: scenarioName,
    steps,
    initSteps,
    defaultMessages,
    responseTimeRepartition: rtr,
    callLengthRepartition: clr,
    declared,
  };
}

function recvMatch(el: XmlElement, r: AttrReader): RecvMatch | undefined {
  const response = el.attrs.get('response');
  const request = el.attrs.get('request');
  if (response !== undefined && request !== undefined) {
    r.report(request.offset, '<recv> has both response and request', 'a <recv> waits for one thing: keep response="…" or request="…"');
    return undefined;
  }
  const regexpMatch = el.attrs.get('regexp_match');
  const byPattern = regexpMatch !== undefined && r.bool(regexpMatch, 'regexp_match');
  if (response !== undefined && byPattern) {
    // SIPp compat (after 3.6.1): the status code, written in decimal, is matched against response="…" as an
    // extended regular expression, unanchored (response="^18.$" takes a 180 or a 183).
    const pattern = attrPattern(response, 'response', '^18[0-9]$', r);
    return pattern === undefined ? undefined : { type: 'response', code: -1, pattern, source: response.value };
  }
  if (response !== undefined) {
    const v = response.value.trim();
    if (!/^[1-6]\d\d$/.test(v)) {
      r.report(
        response.offset,
        `response="${response.value}" is not a SIP status code`,
        'write a code from 100 to 699, e.g. response="200", or a pattern with regexp_match="true", e.g. response="^18.$"',
      );
      return undefined;
    }
    return { type: 'response', code: Number(v) };
  }
  if (request !== undefined && byPattern) {
    // SIPp: the method is matched against request="…" as an extended regular expression, unanchored.
    const pattern = attrPattern(request, 'request', 'INVITE|UPDATE', r);
    return pattern === undefined ? undefined : { type: 'request', method: request.value, pattern };
  }
  if (request !== undefined) {
    const v = request.value.trim();
    if (!/^[A-Za-z][A-Za-z0-9!%*_+`'~.-]*$/.test(v)) {
      r.report(request.offset, `request="${request.value}" is not a SIP method`, 'write a method name, e.g. request="INVITE"');
      return undefined;
    }
    return { type: 'request', method: v };
  }
  r.report(el.offset, '<recv> needs response="…" or request="…"', 'e.g. <recv response="200"/> or <recv request="BYE"/>');
  return undefined;
}

/** The regular expression of a regexp_match="true" attribute, or undefined (reported at its place) when it is none. */
function attrPattern(
  a: { readonly value: string; readonly offset: number },
  name: string,
  example: string,
  r: AttrReader,
): RegExp | undefined {
  try {
    return new RegExp(a.value);
  } catch (e) {
    r.report(
      a.offset,
      `${name}="${a.value}" is not a regular expression (${messageOf(e)})`,
      `e.g. ${name}="${example}" regexp_match="true"`,
    );
    return undefined;
  }
}
