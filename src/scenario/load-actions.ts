/** <action> children → typed actions, every missing or bad attribute reported at its place. */
import type { Action, Check, Compare, IntCmd, Operand, SearchIn } from './action-ast.js';
import type { AttrReader } from './attrs.js';
import { EXEC_FORMS, loadExecMedia, loadRtpEchoElement } from './load-media.js';
import type { XmlElement } from './xml.js';

/** The attributes each action takes. */
const ACTION_ATTRS: Readonly<Record<string, readonly string[]>> = {
  ereg: [
    'regexp',
    'search_in',
    'header',
    'variable',
    'occurrence',
    'occurence',
    'case_indep',
    'start_line',
    'check_it',
    'check_it_inverse',
    'assign_to',
  ],
  assign: ['assign_to', 'value', 'variable'],
  assignstr: ['assign_to', 'value'],
  add: ['assign_to', 'value', 'variable'],
  subtract: ['assign_to', 'value', 'variable'],
  multiply: ['assign_to', 'value', 'variable'],
  divide: ['assign_to', 'value', 'variable'],
  todouble: ['assign_to', 'variable'],
  test: ['assign_to', 'variable', 'compare', 'value', 'variable2', 'check_it', 'check_it_inverse'],
  strcmp: ['assign_to', 'variable', 'value', 'variable2', 'check_it', 'check_it_inverse'],
  closecon: [],
  log: ['message'],
  warning: ['message'],
  error: ['message'],
  exec: [...EXEC_FORMS],
  rtp_echo: ['value', 'variable'],
  jump: ['value', 'variable'],
  pauserestore: ['value', 'variable'],
  index: ['assign_to'],
  gettimeofday: ['assign_to'],
  urlencode: ['variable'],
  urldecode: ['variable'],
  trim: ['assign_to'],
  verifyauth: ['assign_to', 'username', 'password'],
  lookup: ['assign_to', 'file', 'key'],
  insert: ['file', 'value'],
  replace: ['file', 'line', 'value'],
  setdest: ['host', 'port', 'protocol'],
  sample: [
    'assign_to',
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
  ],
};

const NOT_YET_ACTIONS: ReadonlySet<string> = new Set(['playpcap']);
const COMPARES: readonly Compare[] = ['equal', 'not_equal', 'greater_than', 'less_than', 'greater_than_equal', 'less_than_equal'];
const SEARCH_IN: readonly SearchIn[] = ['msg', 'hdr', 'body', 'var'];
const INT_CMDS: readonly IntCmd[] = ['stop_call', 'stop_gracefully', 'stop_now'];

export function loadActions(actionEl: XmlElement, r: AttrReader): Action[] {
  const out: Action[] = [];
  for (const el of actionEl.children) {
    const a = loadAction(el, r);
    if (a !== undefined) out.push(a);
  }
  return out;
}

function loadAction(el: XmlElement, r: AttrReader): Action | undefined {
  const known = ACTION_ATTRS[el.name];
  if (known === undefined) {
    if (NOT_YET_ACTIONS.has(el.name) || el.name.startsWith('exec'))
      r.report(
        el.offset,
        `action <${el.name}> is not supported by this version of sipts yet`,
        'remove it, or run this scenario with SIPp for now',
      );
    else r.report(el.offset, `unknown action <${el.name}>`, `actions: ${Object.keys(ACTION_ATTRS).join(', ')}`);
    return undefined;
  }
  r.checkNames(el, known, new Set());
  const loc = r.loc(el.offset);
  const get = (n: string) => el.attrs.get(n);
  const assignTo = (example: string) => r.variable(r.required(el, 'assign_to', example), 'assign_to');
  /** value="…" or variable="…" (variable2 for test/strcmp): exactly one of them. */
  const operand = (valueKind: 'number' | 'string', varAttr: string, example: string): Operand | undefined => {
    const v = get('value');
    const va = get(varAttr);
    if (v !== undefined && va !== undefined) {
      r.report(va.offset, `<${el.name}> has both value and ${varAttr}`, 'keep one of them');
      return undefined;
    }
    if (va !== undefined) {
      const ref = r.variable(va, varAttr);
      return ref === undefined ? undefined : { variable: ref };
    }
    if (v === undefined) {
      r.report(el.offset, `<${el.name}> needs value="…" or ${varAttr}="…"`, `e.g. ${example}`);
      return undefined;
    }
    if (valueKind === 'number' && r.number(v, 'value') === undefined) return undefined;
    return { literal: v.value };
  };
  switch (el.name) {
    case 'ereg': {
      const re = r.required(el, 'regexp', '<ereg regexp="tag=([^;]*)" search_in="hdr" header="To:" assign_to="all,tag"/>');
      const to = r.variables(r.required(el, 'assign_to', '<ereg regexp="…" search_in="msg" assign_to="v"/>'), 'assign_to');
      const searchIn = r.choice(get('search_in'), 'search_in', SEARCH_IN) ?? 'msg';
      const header = get('header');
      if (searchIn === 'hdr' && header === undefined)
        r.report(el.offset, '<ereg search_in="hdr"> needs a header attribute', 'e.g. header="From:"');
      const variable = r.variable(get('variable'), 'variable');
      if (searchIn === 'var' && variable === undefined)
        r.report(el.offset, '<ereg search_in="var"> needs a variable attribute', 'e.g. variable="contact"');
      // SIPp compat: also its old spelling; 0 and 1 both mean the first.
      const occ = r.number(get('occurrence') ?? get('occurence'), 'occurrence') ?? 1;
      if (re === undefined || to === undefined) return undefined;
      return {
        kind: 'ereg',
        loc,
        regexp: re.value,
        regexpOffset: re.offset,
        searchIn,
        header: header?.value,
        variable,
        occurrence: occ,
        caseIndep: r.bool(get('case_indep'), 'case_indep'),
        startLine: r.bool(get('start_line'), 'start_line'),
        checkIt: r.bool(get('check_it'), 'check_it'),
        checkItInverse: r.bool(get('check_it_inverse'), 'check_it_inverse'),
        assignTo: to,
      };
    }
    case 'assign':
    case 'add':
    case 'subtract':
    case 'multiply':
    case 'divide': {
      const to = assignTo(`<${el.name} assign_to="n" value="1"/>`);
      const value = operand('number', 'variable', `<${el.name} assign_to="n" value="1"/>`);
      if (to === undefined || value === undefined) return undefined;
      return el.name === 'assign' ? { kind: 'assign', loc, assignTo: to, value } : { kind: 'arith', loc, op: el.name, assignTo: to, value };
    }
    case 'assignstr': {
      const to = assignTo('<assignstr assign_to="s" value="[call_id]"/>');
      const v = r.required(el, 'value', '<assignstr assign_to="s" value="[call_id]"/>');
      return to === undefined || v === undefined
        ? undefined
        : { kind: 'assignstr', loc, assignTo: to, value: { text: v.value, offset: v.valueOffset } };
    }
    case 'todouble': {
      const to = assignTo('<todouble assign_to="n" variable="s"/>');
      const v = r.variable(r.required(el, 'variable', '<todouble assign_to="n" variable="s"/>'), 'variable');
      return to === undefined || v === undefined ? undefined : { kind: 'todouble', loc, assignTo: to, variable: v };
    }
    case 'test':
    case 'strcmp': {
      const example =
        el.name === 'test'
          ? '<test assign_to="big" variable="n" compare="greater_than" value="5"/>'
          : '<strcmp assign_to="same" variable="s" value="abc"/>';
      // SIPp: check_it or check_it_inverse (not both) fails the call on the result; assign_to is then optional.
      const ci = get('check_it');
      const cii = get('check_it_inverse');
      if (ci !== undefined && cii !== undefined)
        r.report(cii.offset, `<${el.name}> has both check_it and check_it_inverse`, 'keep one of them');
      const check: Check =
        ci !== undefined
          ? r.bool(ci, 'check_it')
            ? 'it'
            : 'none'
          : cii !== undefined && r.bool(cii, 'check_it_inverse')
            ? 'inverse'
            : 'none';
      const to = ci === undefined && cii === undefined ? assignTo(example) : r.variable(get('assign_to'), 'assign_to');
      const v = r.variable(r.required(el, 'variable', example), 'variable');
      const value = operand(el.name === 'test' ? 'number' : 'string', 'variable2', example);
      if (el.name === 'test') {
        const compare = r.choice(r.required(el, 'compare', example), 'compare', COMPARES);
        return v === undefined || value === undefined || compare === undefined
          ? undefined
          : { kind: 'test', loc, assignTo: to, variable: v, compare, value, check };
      }
      return v === undefined || value === undefined ? undefined : { kind: 'strcmp', loc, assignTo: to, variable: v, value, check };
    }
    case 'closecon':
      return { kind: 'closecon', loc };
    case 'log':
    case 'warning':
    case 'error': {
      const m = r.required(el, 'message', `<${el.name} message="call [call_id] done"/>`);
      return m === undefined ? undefined : { kind: 'log', loc, level: el.name, message: { text: m.value, offset: m.valueOffset } };
    }
    case 'exec': {
      // SIPp compat: the first form given, in SIPp's order, is the action; any other is ignored with a warning.
      const given = EXEC_FORMS.filter((n) => el.attrs.has(n));
      const first = given[0];
      if (first === undefined) {
        r.report(
          el.offset,
          `<exec> needs one of ${EXEC_FORMS.map((n) => `${n}="…"`).join(', ')}`,
          'e.g. <exec int_cmd="stop_now"/> or <exec play_pcap_audio="pcap/g711a.pcap"/>',
        );
        return undefined;
      }
      // command and int_cmd together both run (sipts's reading since its first version).
      const plain = first === 'command' || first === 'int_cmd';
      for (const other of given.slice(1)) {
        const at = el.attrs.get(other);
        if (at !== undefined && !(plain && other === 'int_cmd'))
          r.warn(
            at.offset,
            `<exec> does one thing: ${other}="…" is ignored, as SIPp ignores it (${first}="…" comes first)`,
            'put each in an <exec> of its own',
          );
      }
      const attr = el.attrs.get(first);
      if (!plain) return attr === undefined ? undefined : loadExecMedia(first, attr, loc, r);
      const c = get('command');
      const intCmd = r.choice(get('int_cmd'), 'int_cmd', INT_CMDS);
      return { kind: 'exec', loc, command: c === undefined ? undefined : { text: c.value, offset: c.valueOffset }, intCmd };
    }
    case 'rtp_echo':
      return loadRtpEchoElement(el, r, loc);
    case 'jump':
    case 'pauserestore': {
      const value = operand(
        'number',
        'variable',
        el.name === 'jump' ? '<jump value="3"/>' : '<pauserestore variable="_unexp.pausedaddr"/>',
      );
      return value === undefined ? undefined : { kind: el.name, loc, value };
    }
    case 'index': {
      const to = assignTo('<index assign_to="here"/>');
      return to === undefined ? undefined : { kind: 'index', loc, assignTo: to };
    }
    case 'gettimeofday': {
      const to = r.variables(r.required(el, 'assign_to', '<gettimeofday assign_to="sec,usec"/>'), 'assign_to');
      return to === undefined ? undefined : { kind: 'gettimeofday', loc, assignTo: to };
    }
    case 'lookup':
    case 'insert':
    case 'replace': {
      const example =
        el.name === 'lookup'
          ? '<lookup assign_to="line" file="users.csv" key="[$user]"/>'
          : el.name === 'insert'
            ? '<insert file="users.csv" value="alice;secret"/>'
            : '<replace file="users.csv" line="[$line]" value="alice;new"/>';
      const file = r.required(el, 'file', example);
      const text = (n: string): { text: string; offset: number } | undefined => {
        const a = r.required(el, n, example);
        return a === undefined ? undefined : { text: a.value, offset: a.valueOffset };
      };
      if (el.name === 'lookup') {
        const to = assignTo(example);
        const key = text('key');
        return to === undefined || file === undefined || key === undefined
          ? undefined
          : { kind: 'lookup', loc, assignTo: to, file: file.value, fileOffset: file.valueOffset, key };
      }
      const value = text('value');
      if (el.name === 'insert')
        return file === undefined || value === undefined
          ? undefined
          : { kind: 'insert', loc, file: file.value, fileOffset: file.valueOffset, value };
      const line = text('line');
      return file === undefined || value === undefined || line === undefined
        ? undefined
        : { kind: 'replace', loc, file: file.value, fileOffset: file.valueOffset, line, value };
    }
    case 'setdest': {
      const example = '<setdest host="[$host]" port="5060" protocol="udp"/>';
      const host = r.required(el, 'host', example);
      const port = r.required(el, 'port', example);
      // SIPp: udp, tcp, tls, sctp (either case); the run's transport decides which of them can work (actions.ts).
      const protocol = r.choice(r.required(el, 'protocol', example), 'protocol', [
        'udp',
        'UDP',
        'tcp',
        'TCP',
        'tls',
        'TLS',
        'sctp',
        'SCTP',
      ]);
      return host === undefined || port === undefined || protocol === undefined
        ? undefined
        : {
            kind: 'setdest',
            loc,
            host: { text: host.value, offset: host.valueOffset },
            port: { text: port.value, offset: port.valueOffset },
            protocol,
          };
    }
    case 'sample': {
      const to = assignTo('<sample assign_to="x" distribution="normal" mean="100" stdev="10"/>');
      if (get('distribution') === undefined) {
        r.report(el.offset, '<sample> needs a distribution attribute', 'e.g. distribution="uniform" min="1" max="10"');
        return undefined;
      }
      const distribution = r.distribution(el);
      return to === undefined || distribution === undefined ? undefined : { kind: 'sample', loc, assignTo: to, distribution };
    }
    case 'verifyauth': {
      const example = '<verifyauth assign_to="ok" username="[field0]" password="[field1]"/>';
      const to = assignTo(example);
      const u = r.required(el, 'username', example);
      const p = r.required(el, 'password', example);
      return to === undefined || u === undefined || p === undefined
        ? undefined
        : {
            kind: 'verifyauth',
            loc,
            assignTo: to,
            username: { text: u.value, offset: u.valueOffset },
            password: { text: p.value, offset: p.valueOffset },
          };
    }
    default: {
      const attr = el.name === 'trim' ? 'assign_to' : 'variable';
      const v = r.variable(r.required(el, attr, `<${el.name} ${attr}="s"/>`), attr);
      return v === undefined ? undefined : { kind: 'strfn', loc, fn: el.name as 'urlencode' | 'urldecode' | 'trim', variable: v };
    }
  }
}
