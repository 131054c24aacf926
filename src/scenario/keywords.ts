/**
 * The table of message keywords. Adding a keyword is a row here (and a case in template.ts's render
 * switch when its value depends on the call).
 */
import { Op, type Segment } from './segment.js';

/** Values that are fixed for a whole run, baked into literal text at compile time. */
export interface TemplateEnv {
  readonly service: string;
  readonly pid: number;
  readonly transport: string;
  /** Local address as a SIP host: IPv6 in brackets (SIPp compat: [local_ip] is the escaped form). */
  readonly localIpEscaped: string;
  readonly localIpType: 4 | 6;
  readonly mediaIpEscaped: string;
  readonly mediaIpType: 4 | 6;
  readonly mediaPort: number;
  /** -key NAME VALUE: [NAME] renders VALUE. */
  readonly keys: Readonly<Record<string, string>>;
  /** -set NAME VALUE: global variables with a value before the first call. */
  readonly globals: Readonly<Record<string, string>>;
}

/** Resolves a variable name to its slot, or undefined when it is never assigned. */
export interface VarResolver {
  slot(name: string): number | undefined;
  readonly global: readonly boolean[];
}

type Parsed = { readonly seg: Segment; readonly optionalLine: boolean } | { readonly error: string; readonly hint: string };

const lit = (text: string): Parsed => ({ seg: { op: Op.Lit, text, n: 0, sub: undefined }, optionalLine: false });
const dyn = (op: number, n = 0, text = '', optionalLine = false): Parsed => ({ seg: { op, text, n, sub: undefined }, optionalLine });

type Row = { readonly offset: 'none' | 'any' | 'minus'; readonly make: (env: TemplateEnv, n: number) => Parsed };

const ROWS: Readonly<Record<string, Row>> = {
  service: { offset: 'none', make: (e) => lit(e.service) },
  pid: { offset: 'none', make: (e) => lit(String(e.pid)) },
  transport: { offset: 'none', make: (e) => lit(e.transport) },
  local_ip: { offset: 'none', make: (e) => lit(e.localIpEscaped) },
  local_ip_type: { offset: 'none', make: (e) => lit(String(e.localIpType)) },
  media_ip: { offset: 'none', make: (e) => lit(e.mediaIpEscaped) },
  media_ip_type: { offset: 'none', make: (e) => lit(String(e.mediaIpType)) },
  media_port: { offset: 'any', make: (e, n) => lit(String(e.mediaPort + n)) },
  remote_ip: { offset: 'none', make: () => dyn(Op.RemoteIp) },
  remote_port: { offset: 'any', make: (_e, n) => dyn(Op.RemotePort, n) },
  local_port: { offset: 'any', make: (_e, n) => dyn(Op.LocalPort, n) },
  call_id: { offset: 'none', make: () => dyn(Op.CallId) },
  call_number: { offset: 'any', make: (_e, n) => dyn(Op.CallNumber, n) },
  cseq: { offset: 'any', make: (_e, n) => dyn(Op.Cseq, n) },
  // The literal prefix makes the branch RFC 3261 §8.1.1.7 compliant and unique per process.
  branch: { offset: 'minus', make: (e, n) => dyn(Op.Branch, n, `z9hG4bK-${e.pid}-`) },
  len: { offset: 'none', make: () => dyn(Op.Len) },
  peer_tag_param: { offset: 'none', make: () => dyn(Op.PeerTagParam) },
  routes: { offset: 'none', make: () => dyn(Op.Routes, 0, '', true) },
  next_url: { offset: 'none', make: () => dyn(Op.NextUrl) },
};

export const KEYWORD_NAMES: readonly string[] = [...Object.keys(ROWS), 'last_<Header>:', 'last_<Header>:value'];

/** Parses the inside of `[…]`. */
export function parseKeyword(inner: string, env: TemplateEnv, vars: VarResolver): Parsed {
  if (inner.startsWith('$')) {
    const name = inner.slice(1);
    const slot = vars.slot(name);
    if (slot === undefined) return { error: `variable "${name}" is used but never assigned`, hint: `assign it with an action (e.g. <assignstr assign_to="${name}" value="…"/>), declare it with <Global variables="${name}"/>, or give it with -set ${name} VALUE` };
    return dyn(Op.Var, slot, vars.global[slot] === true ? 'g' : '');
  }
  const key = env.keys[inner];
  if (key !== undefined) return lit(key);
  const last = /^last_([A-Za-z0-9_.!%*+`'~-]+?)(:(value)?)?$/.exec(inner);
  if (last !== null) {
    const header = last[1] ?? '';
    return last[3] === 'value' ? dyn(Op.LastHeaderValue, 0, header, false) : dyn(Op.LastHeader, 0, header, true);
  }
  const m = /^([a-z_]+)(?:([+-])(\d+))?$/.exec(inner);
  const row = m === null ? undefined : ROWS[m[1] ?? ''];
  if (m === null || row === undefined) {
    return { error: `unknown keyword [${inner}]`, hint: `known keywords: ${KEYWORD_NAMES.map((k) => `[${k}]`).join(' ')}` };
  }
  const sign = m[2];
  const n = m[3] === undefined ? 0 : Number(m[3]);
  if (sign !== undefined) {
    if (row.offset === 'none') return { error: `keyword [${m[1]}] takes no offset`, hint: `write [${m[1]}]` };
    if (row.offset === 'minus' && sign === '+') return { error: `keyword [${m[1]}] takes only a negative offset`, hint: `write [${m[1]}-N] for the branch of N messages ago` };
  }
  return row.make(env, sign === '-' ? -n : n);
}
