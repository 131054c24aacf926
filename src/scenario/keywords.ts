/**
 * The table of message keywords. Adding a keyword is a row here (and a case in engine/render.ts's
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
  /** -t ui: each call sends from an address of its own (its injection line), so [local_ip] is per call. */
  readonly localIpPerCall?: boolean;
  readonly mediaIpEscaped: string;
  readonly mediaIpType: 4 | 6;
  readonly mediaPort: number;
  /** -key NAME VALUE: [NAME] renders VALUE. */
  readonly keys: Readonly<Record<string, string>>;
  /** -set NAME VALUE: global variables with a value before the first call. */
  readonly globals: Readonly<Record<string, string>>;
  /** -inf files, as given: [fieldN file="…"] picks one of them, [fieldN] the first. */
  readonly injectionFiles: readonly string[];
  /** -users, for [users]; 0 without it. */
  readonly users: number;
  readonly version: string;
  /** -au / -ap: credentials of [authentication] without parameters. */
  readonly authUser: string;
  readonly authPassword: string;
  /** -auth_uri: the digest uri is sip:THIS instead of the Request-URI. */
  readonly authUri?: string | undefined;
  /** The remote host as given on the command line, without its port ('' when none): [remote_host]. */
  readonly remoteHost?: string;
}

/** What keywords resolve against while a scenario compiles. */
export interface CompileScope {
  /** A variable's slot, or undefined when it is never assigned. */
  slot(name: string): number | undefined;
  readonly global: readonly boolean[];
  /** The -inf files, as given on the command line. */
  readonly injectionFiles: readonly string[];
  /** Notes that the scenario reads field `field` of file `file`, for checking the file's lines. */
  useField(file: number, field: number): void;
  /** A warning at a place of the scenario (a keyword read only for SIPp's sake). */
  warn?(offset: number, message: string): void;
}

/** The index of an injection file named as in [fieldN file="…"] or an action's file="…". */
export function injectionFileIndex(scope: CompileScope, name: string): number {
  return scope.injectionFiles.findIndex((f) => f === name || f.replace(/^.*\//, '') === name.replace(/^.*\//, ''));
}

type Parsed =
  { readonly seg: Segment; readonly optionalLine: boolean; readonly warning?: string } | { readonly error: string; readonly hint: string };

const lit = (text: string): Parsed => ({ seg: { op: Op.Lit, text, n: 0, m: 0, sub: undefined }, optionalLine: false });
const dyn = (op: number, n = 0, text = '', optionalLine = false, m = 0): Parsed => ({
  seg: { op, text, n, m, sub: undefined },
  optionalLine,
});

/** offsets: whether the keyword takes a +N offset ([cseq+1]). */
type Row = { readonly offsets: boolean; readonly make: (env: TemplateEnv, n: number) => Parsed };

const NO_VIDEO_SRTP =
  'sipts has no video SRTP: this keyword renders as SIPp renders it, but the video line is neither encrypted nor decrypted (audio is)';
/**
 * SIPp 3.7's SRTP keywords, audio and video: tags, suite names, keys (base64 key and salt), unencrypted flags.
 * They render text only; the media layer reads the keys back from the SDP sent (engine/media-runtime.ts).
 */
function srtpRows(): Record<string, Row> {
  const rows: Record<string, Row> = {};
  ['audio', 'video'].forEach((media, m) => {
    const warning = media === 'video' ? { warning: NO_VIDEO_SRTP } : {};
    const srtp = (text: string): Row => ({ offsets: false, make: () => ({ ...lit(text), ...warning }) });
    rows[`cryptotag1${media}`] = srtp('1');
    rows[`cryptotag2${media}`] = srtp('2');
    for (const [suite, name] of [
      ['aescm128sha180', 'AES_CM_128_HMAC_SHA1_80'],
      ['aescm128sha132', 'AES_CM_128_HMAC_SHA1_32'],
      ['nullsha180', 'NULL_HMAC_SHA1_80'],
      ['nullsha132', 'NULL_HMAC_SHA1_32'],
    ] as const) {
      rows[`cryptosuite${suite}1${media}`] = srtp(name);
      rows[`cryptosuite${suite}2${media}`] = srtp(name);
    }
    for (const suite of ['aescm128sha180', 'aescm128sha132']) {
      rows[`ue${suite}1${media}`] = srtp('UNENCRYPTED_SRTP');
      rows[`ue${suite}2${media}`] = srtp('UNENCRYPTED_SRTP');
    }
    // SIPp compat: a negative offset ([cryptokeyparams1audio-1]) sends the call's last key again.
    for (const k of [1, 2])
      rows[`cryptokeyparams${k}${media}`] = {
        offsets: true,
        make: (_e, n) => ({ ...dyn(Op.CryptoKey, m * 2 + k - 1, '', false, n < 0 ? 1 : 0), ...warning }),
      };
  });
  return rows;
}

const ROWS: Readonly<Record<string, Row>> = {
  service: { offsets: false, make: (e) => lit(e.service) },
  pid: { offsets: false, make: (e) => lit(String(e.pid)) },
  transport: { offsets: false, make: (e) => lit(e.transport) },
  local_ip: { offsets: false, make: (e) => (e.localIpPerCall === true ? dyn(Op.LocalIp) : lit(e.localIpEscaped)) },
  local_ip_type: { offsets: false, make: (e) => lit(String(e.localIpType)) },
  media_ip: { offsets: false, make: (e) => lit(e.mediaIpEscaped) },
  media_ip_type: { offsets: false, make: (e) => lit(String(e.mediaIpType)) },
  media_port: { offsets: true, make: (e, n) => lit(String(e.mediaPort + n)) },
  // SIPp: -mp plus 4 × (call number − 1) mod 10000, so that calls replaying pcaps use ports of their own.
  auto_media_port: { offsets: true, make: (e, n) => dyn(Op.AutoMediaPort, e.mediaPort + n) },
  // SIPp compat (3.7, not 3.6.1): the port of the call's own rtp_stream socket, so that a peer sending to the SDP
  // reaches the socket the call listens and measures on. SIPp 3.6.1 rendered -mp for both, where sipts's calls do
  // not listen. The call's block of [auto_media_port]: audio at its first port, video two above; +1 is RTCP.
  rtpstream_audio_port: { offsets: true, make: (e, n) => dyn(Op.AutoMediaPort, e.mediaPort + n) },
  rtpstream_video_port: { offsets: true, make: (e, n) => dyn(Op.AutoMediaPort, e.mediaPort + 2 + n) },
  server_ip: { offsets: false, make: () => dyn(Op.ServerIp) },
  remote_host: { offsets: false, make: (e) => lit(e.remoteHost ?? '') },
  msg_index: { offsets: false, make: () => dyn(Op.MsgIndex) },
  date: { offsets: false, make: () => dyn(Op.Date) },
  remote_ip: { offsets: false, make: () => dyn(Op.RemoteIp) },
  remote_port: { offsets: true, make: (_e, n) => dyn(Op.RemotePort, n) },
  local_port: { offsets: true, make: (_e, n) => dyn(Op.LocalPort, n) },
  call_id: { offsets: false, make: () => dyn(Op.CallId) },
  call_number: { offsets: true, make: (_e, n) => dyn(Op.CallNumber, n) },
  cseq: { offsets: true, make: (_e, n) => dyn(Op.Cseq, n) },
  // The literal prefix makes the branch RFC 3261 §8.1.1.7 compliant; the call's idTag (its engine's, the pid for
  // the first engine of a process) makes it unique to the engine.
  branch: { offsets: true, make: (_e, n) => dyn(Op.Branch, n, 'z9hG4bK-') },
  // [len+N]: SIPp adds N to the body length (an empty body still gives 0).
  len: { offsets: true, make: (_e, n) => dyn(Op.Len, n) },
  peer_tag_param: { offsets: false, make: () => dyn(Op.PeerTagParam) },
  routes: { offsets: false, make: () => dyn(Op.Routes, 0, '', true) },
  next_url: { offsets: false, make: () => dyn(Op.NextUrl) },
  clock_tick: { offsets: false, make: () => dyn(Op.ClockTick) },
  timestamp: { offsets: false, make: () => dyn(Op.Timestamp) },
  sipp_version: { offsets: false, make: (e) => lit(`sipts-${e.version}`) },
  users: { offsets: false, make: (e) => lit(String(e.users)) },
  userid: { offsets: false, make: () => dyn(Op.UserId) },
  tdmmap: { offsets: false, make: () => dyn(Op.Tdm) },
  dynamic_id: { offsets: false, make: () => dyn(Op.DynamicId) },
  last_Request_URI: { offsets: false, make: () => dyn(Op.LastPart, 0, 'ruri') },
  last_cseq_number: { offsets: true, make: (_e, n) => dyn(Op.LastPart, n, 'cseq') },
  last_message: { offsets: false, make: () => dyn(Op.LastPart, 0, 'message') },
  ...srtpRows(),
};

export const KEYWORD_NAMES: readonly string[] = [
  ...Object.keys(ROWS).filter((k) => !/^(crypto|ue)/.test(k)),
  'cryptotag1audio … (SRTP)',
  'last_<Header>:',
  'last_<Header>:value',
  '$variable',
  'fieldN',
  'fieldN file="f.csv" line=N',
  'file name="f"',
  'authentication',
  'authentication username=… password=…',
];

/** The `name=value` and `name="value"` parameters of a keyword, in order. */
function keywordArgs(args: string): [string, string][] {
  return [...args.matchAll(/([a-z]+)=(?:"([^"]*)"|([^\s"]+))/g)].map((m) => [m[1] ?? '', m[2] ?? m[3] ?? '']);
}

/** [fill variable=len text="X"]: `text` repeated to the length held in a variable (SIPp: default text X). */
function fillKeyword(args: string, scope: CompileScope): Parsed {
  let variable = '';
  let text = 'X';
  for (const [name, value] of keywordArgs(args)) {
    if (name === 'variable') variable = value;
    else if (name === 'text') text = value;
    else return { error: `[fill] has an unknown parameter ${name}`, hint: 'its parameters are variable=… and text=…' };
  }
  if (variable === '')
    return {
      error: '[fill] needs variable=…, the variable that holds the length',
      hint: 'e.g. <assign assign_to="len" value="100"/> then [fill variable=len]',
    };
  const slot = scope.slot(variable);
  if (slot === undefined)
    return {
      error: `variable "${variable}" is used but never assigned`,
      hint: `assign it, e.g. <assign assign_to="${variable}" value="100"/>`,
    };
  return dyn(Op.Fill, slot, text === '' ? 'X' : text, false, scope.global[slot] === true ? 1 : 0);
}

/** [fieldN], [fieldN file="users.csv"], [fieldN line=3]: a field of the call's line of an injection file. */
function fieldKeyword(field: number, args: string, scope: CompileScope): Parsed {
  let file = 0;
  let line = '';
  let lineVar: Segment | undefined;
  for (const [name, value] of keywordArgs(args)) {
    if (name === 'file') {
      const i = injectionFileIndex(scope, value);
      if (i < 0)
        return {
          error: `[field${field}] names file "${value}", which is not given with -inf`,
          hint: scope.injectionFiles.length > 0 ? `-inf files: ${scope.injectionFiles.join(', ')}` : `add -inf ${value}`,
        };
      file = i;
    } else if (name === 'line') {
      const v = /^\[\$([A-Za-z0-9_.-]+)\]$/.exec(value);
      if (v !== null) {
        // line="[$var]": the line a <lookup> found, say.
        const slot = scope.slot(v[1] ?? '');
        if (slot === undefined)
          return {
            error: `variable "${v[1] ?? ''}" is used but never assigned`,
            hint: 'assign it first, e.g. with <lookup assign_to="line" …/>',
          };
        lineVar = { op: Op.Var, text: scope.global[slot] === true ? 'g' : '', n: slot, m: 0, sub: undefined };
      } else if (!/^\d+$/.test(value))
        return {
          error: `[field${field}] line=${value} is not a line number`,
          hint: 'write line=N, N counting data lines from 0, or line="[$variable]"',
        };
      else line = value;
    } else return { error: `[field${field}] has an unknown parameter ${name}`, hint: 'its parameters are file="…" and line=N' };
  }
  if (scope.injectionFiles.length === 0)
    return {
      error: `the scenario reads [field${field}] but no injection file was given`,
      hint: 'add -inf users.csv (SEQUENTIAL, then one line of ;-separated fields per call)',
    };
  scope.useField(file, field);
  const parsed = dyn(Op.Field, field, line, false, file);
  return lineVar === undefined || !('seg' in parsed) ? parsed : { seg: { ...parsed.seg, sub: [lineVar] }, optionalLine: false };
}

/** Parses the inside of `[…]`. */
export function parseKeyword(inner: string, env: TemplateEnv, vars: CompileScope): Parsed {
  // SIPp compat: [field] without a number is [field0] (SIPp reads the number with atoi).
  const field = /^field(\d*)((?:\s+[a-z]+=(?:"[^"]*"|[^\s"]+))*)$/.exec(inner);
  if (field !== null) return fieldKeyword(Number(field[1] === '' ? '0' : field[1]), field[2] ?? '', vars);
  if (inner.startsWith('$')) {
    const name = inner.slice(1);
    const slot = vars.slot(name);
    if (slot === undefined)
      return {
        error: `variable "${name}" is used but never assigned`,
        hint: `assign it with an action (e.g. <assignstr assign_to="${name}" value="…"/>), declare it with <Global variables="${name}"/>, or give it with -set ${name} VALUE`,
      };
    return dyn(Op.Var, slot, vars.global[slot] === true ? 'g' : '');
  }
  const key = env.keys[inner];
  if (key !== undefined) return lit(key);
  const fill = /^fill((?:\s+[a-z]+=(?:"[^"]*"|[^\s"]+))*)$/.exec(inner);
  if (fill !== null) return fillKeyword(fill[1] ?? '', vars);
  const last = /^last_([A-Za-z0-9_.!%*+`'~-]+?)(:(value)?)?$/.exec(inner);
  if (last !== null && ROWS[inner.replace(/[+-]\d+$/, '')] === undefined) {
    const header = last[1] ?? '';
    return last[3] === 'value' ? dyn(Op.LastHeaderValue, 0, header, false) : dyn(Op.LastHeader, 0, header, true);
  }
  const m = /^([A-Za-z_][A-Za-z0-9_]*?)(?:([+-])(\d+))?$/.exec(inner);
  const row = m === null ? undefined : ROWS[m[1] ?? ''];
  if (m === null || row === undefined) {
    return { error: `unknown keyword [${inner}]`, hint: `known keywords: ${KEYWORD_NAMES.map((k) => `[${k}]`).join(' ')}` };
  }
  const sign = m[2];
  const n = m[3] === undefined ? 0 : Number(m[3]);
  if (sign !== undefined) {
    if (!row.offsets) return { error: `keyword [${m[1]}] takes no offset`, hint: `write [${m[1]}]` };
  }
  return row.make(env, sign === '-' ? -n : n);
}
