/**
 * Element tree → typed steps. Checks element names, attribute names and values, and reports every
 * problem at once with its place. Label resolution happens in validate.ts.
 */
import type { Diagnostic } from '../errors.js';
import type { LabelRef, Loc, RecvMatch, ScenarioAst, Step } from './ast.js';
import type { XmlAttr, XmlDocument, XmlElement } from './xml.js';

/** How an attribute value is read. */
type AttrKind = 'ms' | 'percent' | 'bool' | 'label' | 'rtd' | 'optional' | 'code' | 'method' | 'text' | 'ignored';

const COMMON = { next: 'label', start_rtd: 'rtd', rtd: 'rtd', crlf: 'bool', display: 'ignored', hide: 'ignored' } as const;

/** The attributes each step element accepts. */
const ATTRS = {
  send: { ...COMMON, retrans: 'ms', lost: 'percent' },
  recv: { ...COMMON, response: 'code', request: 'method', optional: 'optional', rrs: 'bool', lost: 'percent', timeout: 'ms', ontimeout: 'label' },
  pause: { ...COMMON, milliseconds: 'ms' },
  timewait: { ...COMMON, milliseconds: 'ms' },
  nop: { ...COMMON },
  label: { id: 'text' },
} as const satisfies Record<string, Record<string, AttrKind>>;

type StepElement = keyof typeof ATTRS;

/** SIPp attributes this version recognises but does not implement yet: refused with a clear message. */
const NOT_YET: ReadonlySet<string> = new Set([
  'test', 'chance', 'condexec', 'condexec_inverse', 'counter', 'repeat_rtd', 'start_txn', 'ack_txn', 'response_txn',
  'auth', 'regexp_match', 'min', 'max', 'distribution', 'mean', 'stdev', 'variable', 'sanity_check', 'dest', 'dialog',
]);
const NOT_YET_ELEMENTS: ReadonlySet<string> = new Set(['Global', 'User', 'Reference', 'sendCmd', 'recvCmd', 'action']);

export function loadScenario(doc: XmlDocument, diagnostics: Diagnostic[]): ScenarioAst | undefined {
  const { file, lines } = doc;
  const locOf = (offset: number): Loc => lines.position(offset);
  const report = (offset: number, message: string, hint?: string): void => {
    const { line, col } = locOf(offset);
    diagnostics.push({ file, line, col, message, sourceLine: lines.lineText(line), ...(hint === undefined ? {} : { hint }) });
  };
  const root = doc.root;
  if (root === undefined) {
    if (!doc.recovered) report(0, 'no <scenario> element', 'a scenario file holds one <scenario name="…"> element');
    return undefined;
  }
  if (root.name !== 'scenario') {
    report(root.offset, `the root element is <${root.name}>, expected <scenario>`, 'wrap the steps in <scenario name="…"> … </scenario>');
    return undefined;
  }

  const steps: Step[] = [];
  const rtr: number[] = [];
  const clr: number[] = [];

  const readAttrs = (el: XmlElement, kind: StepElement): Map<string, XmlAttr> => {
    const spec: Record<string, AttrKind> = ATTRS[kind];
    for (const [name, attr] of el.attrs) {
      if (name in spec) continue;
      if (NOT_YET.has(name)) report(attr.offset, `attribute '${name}' of <${el.name}> is not supported by this version of sipts yet`, 'remove it, or run this scenario with SIPp for now');
      else report(attr.offset, `unknown attribute '${name}' on <${el.name}>`, `<${el.name}> takes: ${Object.keys(spec).join(', ')}`);
    }
    return new Map(el.attrs);
  };

  // Typed readers: each reports a bad value at the attribute and returns undefined.
  const ms = (a: XmlAttr | undefined, what: string): number | undefined => {
    if (a === undefined) return undefined;
    const v = a.value.trim();
    if (!/^\d+$/.test(v)) { report(a.offset, `${what}="${a.value}" is not a number of milliseconds`, `write a whole number, e.g. ${what}="500"`); return undefined; }
    return Number(v);
  };
  const percent = (a: XmlAttr | undefined, what: string): number => {
    if (a === undefined) return 0;
    const v = Number(a.value.trim());
    if (a.value.trim() === '' || !Number.isFinite(v) || v < 0 || v > 100) { report(a.offset, `${what}="${a.value}" is not a percentage`, `write a number from 0 to 100, e.g. ${what}="10"`); return 0; }
    return v;
  };
  const bool = (a: XmlAttr | undefined, what: string): boolean => {
    if (a === undefined) return false;
    const v = a.value.trim().toLowerCase();
    if (v === 'true' || v === '1') return true;
    if (v === 'false' || v === '0') return false;
    report(a.offset, `${what}="${a.value}" is not a boolean`, `write ${what}="true" or ${what}="false"`);
    return false;
  };
  const label = (a: XmlAttr | undefined, what: string): LabelRef | undefined => {
    if (a === undefined) return undefined;
    if (a.value.trim() === '') { report(a.offset, `${what}="" names no label`, `name a <label id="…"/> of this scenario`); return undefined; }
    return { label: a.value.trim(), loc: locOf(a.offset) };
  };
  const rtdName = (a: XmlAttr | undefined): string | undefined => {
    if (a === undefined) return undefined;
    const v = a.value.trim();
    // SIPp compat: rtd="true" means response time 1.
    return v === 'true' ? '1' : v === '' || v === 'false' ? undefined : v;
  };

  const visit = (el: XmlElement): void => {
    const name = el.name;
    if (name === 'ResponseTimeRepartition' || name === 'CallLengthRepartition') {
      const v = el.attrs.get('value');
      const edges = (v?.value ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
      const nums = edges.map(Number);
      if (v === undefined || nums.length === 0 || nums.some((n) => !Number.isInteger(n) || n <= 0)) {
        report(v?.offset ?? el.offset, `<${name}> needs value="…" with a list of positive whole numbers of ms`, `e.g. <${name} value="10, 20, 30, 40, 50"/>`);
      } else (name === 'ResponseTimeRepartition' ? rtr : clr).push(...nums);
      return;
    }
    if (NOT_YET_ELEMENTS.has(name)) { report(el.offset, `<${name}> is not supported by this version of sipts yet`, 'remove it, or run this scenario with SIPp for now'); return; }
    if (!(name in ATTRS)) {
      report(el.offset, `unknown element <${name}>`, `a scenario step is one of: ${Object.keys(ATTRS).join(', ')}`);
      return;
    }
    const kind = name as StepElement;
    const a = readAttrs(el, kind);
    const loc = locOf(el.offset);
    // After a syntax error (an unclosed tag) later steps sit nested inside this one: they are lifted back
    // out and checked as the siblings they were meant to be; the syntax error is already reported.
    const nestedSteps = doc.recovered ? el.children.filter((c) => c.name in ATTRS) : [];
    for (const c of el.children) {
      if (c.name === 'action') report(c.offset, '<action> is not supported by this version of sipts yet', 'remove it, or run this scenario with SIPp for now');
      else if (!nestedSteps.includes(c)) report(c.offset, `unexpected element <${c.name}> inside <${name}>`, `move it out of <${name}>`);
    }
    if (kind === 'label') {
      const id = a.get('id');
      if (id === undefined || id.value.trim() === '') report(el.offset, '<label> needs an id', 'write <label id="name"/>');
      else steps.push({ kind: 'label', loc, id: id.value.trim() });
    } else {
      const common = { loc, next: label(a.get('next'), 'next'), startRtd: rtdName(a.get('start_rtd')), rtd: rtdName(a.get('rtd')), crlf: bool(a.get('crlf'), 'crlf') };
      if (kind === 'send') {
        if (el.text.trim() === '') report(el.offset, '<send> has no message', 'put the SIP message in <![CDATA[ … ]]> inside <send>');
        steps.push({ ...common, kind: 'send', template: { text: el.text, offset: el.textOffset }, retransMs: ms(a.get('retrans'), 'retrans'), lostPercent: percent(a.get('lost'), 'lost') });
      } else if (kind === 'recv') {
        const match = recvMatch(el, a, report);
        if (match !== undefined) {
          const opt = a.get('optional');
          const optional = opt === undefined ? false : opt.value.trim() === 'global' ? true : bool(opt, 'optional');
          steps.push({
            ...common, kind: 'recv', match, optional, timeoutMs: ms(a.get('timeout'), 'timeout'),
            onTimeout: label(a.get('ontimeout'), 'ontimeout'), rrs: bool(a.get('rrs'), 'rrs'), lostPercent: percent(a.get('lost'), 'lost'),
          });
        }
      } else if (kind === 'pause' || kind === 'timewait') {
        steps.push({ ...common, kind: 'pause', milliseconds: ms(a.get('milliseconds'), 'milliseconds'), timewait: kind === 'timewait' });
      } else {
        steps.push({ ...common, kind: 'nop' });
      }
    }
    for (const c of nestedSteps) visit(c);
  };
  for (const el of root.children) visit(el);
  const scenarioName = root.attrs.get('name')?.value ?? file.replace(/^.*\//, '').replace(/\.xml$/i, '');
  return { file, name: scenarioName, steps, responseTimeRepartition: rtr, callLengthRepartition: clr };
}

function recvMatch(el: XmlElement, a: Map<string, XmlAttr>, report: (offset: number, m: string, h?: string) => void): RecvMatch | undefined {
  const response = a.get('response');
  const request = a.get('request');
  if (response !== undefined && request !== undefined) {
    report(request.offset, '<recv> has both response and request', 'a <recv> waits for one thing: keep response="…" or request="…"');
    return undefined;
  }
  if (response !== undefined) {
    const v = response.value.trim();
    if (!/^[1-6]\d\d$/.test(v)) { report(response.offset, `response="${response.value}" is not a SIP status code`, 'write a code from 100 to 699, e.g. response="200"'); return undefined; }
    return { type: 'response', code: Number(v) };
  }
  if (request !== undefined) {
    const v = request.value.trim();
    if (!/^[A-Za-z][A-Za-z0-9!%*_+`'~.-]*$/.test(v)) { report(request.offset, `request="${request.value}" is not a SIP method`, 'write a method name, e.g. request="INVITE"'); return undefined; }
    return { type: 'request', method: v };
  }
  report(el.offset, '<recv> needs response="…" or request="…"', 'e.g. <recv response="200"/> or <recv request="BYE"/>');
  return undefined;
}
