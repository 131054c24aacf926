/**
 * Message templates: compiled once at load time into segments (SIPp normalisation applied), rendered per
 * send by concatenating ready strings. Output is a latin1 byte string (see sip/message.ts).
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { authorizationValue, newCnonce, pickChallenge } from '../sip/digest.js';
import { sippTime } from '../format.js';
import { akaResponse } from '../sip/milenage.js';
import { findHeaders } from '../sip/headers.js';
import type { SipMessage } from '../sip/message.js';
import type { TemplateSource } from './ast.js';
import { parseKeyword, type CompileScope, type TemplateEnv } from './keywords.js';
import { Op, type Segment } from './segment.js';

/** What a template reads from the call while rendering. The engine's call state implements it. */
export interface RenderContext {
  readonly callId: string;
  readonly number: number;
  /** What names the call's engine in [branch] (z9hG4bK-<idTag>-<call>-<message>): the pid, for a process's first engine. */
  readonly idTag: string;
  readonly cseq: number;
  readonly remoteIpEscaped: string;
  readonly remotePort: number;
  readonly localPort: number;
  /** The address of the call's socket, IPv6 in brackets (-t ui). */
  readonly localIpEscaped: string;
  /** `;tag=…` of the peer, or ''. */
  readonly peerTagParam: string;
  /** `Route: …` built from the recorded route set, or ''. */
  readonly routes: string;
  readonly nextUrl: string;
  readonly lastRecv: SipMessage | undefined;
  readonly vars: readonly VarValue[];
  readonly globals: readonly VarValue[];
  /** Field `field` of injection file `file`: the call's line, or line `line` when it is >= 0. */
  field(file: number, field: number, line: number): string;
  /** The next nonce count for `nonce` (RFC 2617 §3.2.2: 1 for a new nonce, then counting). */
  nonceCount(nonce: string): number;
  /** The -users user of the call (0 without -users). */
  readonly userId: number;
  /** ms since the run started. */
  clockTick(): number;
  /** The -tdmmap circuit of the call, as x.y.h/z; '' without -tdmmap. */
  tdmCircuit(): string;
  /** [dynamic_id]: the run's counter's value, which then moves on. */
  nextDynamicId(): number;
  /** [server_ip]: the local address of the call's socket, unbracketed. */
  readonly serverIp: string;
  /** SRTP key `which` (0..3: audio 1, 2, video 1, 2) of the call: a new one, or the last one when `reuse`. */
  cryptoKey(which: number, reuse: boolean): string;
}

/** SIPp's [cryptokeyparams…]: 16 bytes of master key and 14 of salt, base64 (40 characters, RFC 4568 §6.1). */
export function newCryptoKey(): string {
  return randomBytes(30).toString('base64');
}

/** A variable's value: a string (regexp match, assignstr), a number (assign, arithmetic), a boolean (test). */
export type VarValue = string | number | boolean | undefined;

/** SIPp compat: numbers print with six decimals (C's %lf), booleans as true/false, unset as nothing. */
export function formatVar(v: VarValue): string {
  if (v === undefined) return '';
  if (typeof v === 'number') return v.toFixed(6);
  return typeof v === 'boolean' ? (v ? 'true' : 'false') : v;
}

/**
 * [$var] in a message. SIPp compat: SIPp 3.6.1 renders a number only when it is "set", and 0 is not: it renders
 * as nothing (a <lookup> that found line 0, a <strcmp> of equal strings); a false still renders "false".
 */
function renderVar(v: VarValue): string {
  return v === 0 ? '' : formatVar(v);
}

export interface CompiledTemplate {
  readonly header: readonly Segment[];
  /** The start line's segments, rendered again only when an Authorization needs method and Request-URI. */
  readonly startLine: readonly Segment[];
  readonly body: readonly Segment[];
  /** The request method, or '' when the message is a response; undefined if only known once rendered. */
  readonly method: string | undefined;
}

export type ReportAt = (offset: number, message: string, hint?: string) => void;

/** Turns raw text (already a byte string) into a literal, merging with the previous literal. */
function pushLit(out: Segment[], text: string): void {
  if (text === '') return;
  const prev = out[out.length - 1];
  if (prev !== undefined && prev.op === Op.Lit) out[out.length - 1] = { op: Op.Lit, text: prev.text + text, n: 0, m: 0, sub: undefined };
  else out.push({ op: Op.Lit, text, n: 0, m: 0, sub: undefined });
}

const toBytes = (s: string): string => Buffer.from(s, 'utf8').toString('latin1');

/**
 * SIPp compat: each line is trimmed, blank lines before the start line and after the message are dropped,
 * lines end with CRLF, the header block ends with an empty line and every body line ends with CRLF.
 */
export function compileTemplate(src: TemplateSource, env: TemplateEnv, vars: CompileScope, report: ReportAt): CompiledTemplate {
  const rawLines: { text: string; offset: number }[] = [];
  let pos = 0;
  while (pos <= src.text.length) {
    let eol = src.text.indexOf('\n', pos);
    if (eol < 0) eol = src.text.length;
    const line = src.text.slice(pos, eol);
    const lead = line.length - line.trimStart().length;
    rawLines.push({ text: line.trim(), offset: src.offset + pos + lead });
    pos = eol + 1;
  }
  while (rawLines.length > 0 && rawLines[0]?.text === '') rawLines.shift();
  while (rawLines.length > 0 && rawLines[rawLines.length - 1]?.text === '') rawLines.pop();
  const blank = rawLines.findIndex((l) => l.text === '');
  const headerLines = blank < 0 ? rawLines : rawLines.slice(0, blank);
  const bodyLines = blank < 0 ? [] : rawLines.slice(blank + 1);

  const header: Segment[] = [];
  for (const l of headerLines) compileLine(l.text, l.offset, env, vars, report, header);
  pushLit(header, '\r\n');
  const body: Segment[] = [];
  for (const l of bodyLines) compileLine(l.text, l.offset, env, vars, report, body);

  const first = headerLines[0]?.text ?? '';
  const word = /^([A-Za-z][A-Za-z0-9!%*_+`'~.-]*) /.exec(first);
  const method = first.startsWith('SIP/2.0 ') ? '' : word !== null ? word[1] : undefined;
  // [fieldN] may carry an [authentication …] of its own (SIPp compat), so it needs the start line too.
  const needsStartLine = (x: Segment): boolean => x.op === Op.Auth || x.op === Op.Field;
  const needsLine = header.some((seg) => needsStartLine(seg) || (seg.sub ?? []).some(needsStartLine));
  const startLine: Segment[] = [];
  if (needsLine && headerLines[0] !== undefined) compileLine(headerLines[0].text, headerLines[0].offset, env, vars, () => undefined, startLine, false);
  return { header, startLine, body, method };
}

/** A one-line text with keywords (assignstr value, log message, exec command): no CRLF, no line rules. */
export function compileText(src: TemplateSource, env: TemplateEnv, vars: CompileScope, report: ReportAt): readonly Segment[] {
  const out: Segment[] = [];
  compileLine(src.text, src.offset, env, vars, report, out, false);
  return out;
}

export function renderText(segs: readonly Segment[], ctx: RenderContext): string {
  return renderSegments(segs, ctx, 0, 0, '', NONE);
}

/**
 * The Authorization (after a 401) or Proxy-Authorization (after a 407) header answering the last
 * received challenge (RFC 3261 §22.2, §22.3). Method and Request-URI come from the rendered request
 * `line`. Empty when the last message challenged nothing.
 */
function authorization(seg: Segment, ctx: RenderContext, line: string, body: string): string {
  const [userSeg, passSeg, kSeg, opSeg] = seg.sub ?? [];
  const one = (g: Segment | undefined): string => (g === undefined ? '' : renderSegments(g.sub ?? [], ctx, 0, 0, '', NONE));
  return authorizationFor({ username: one(userSeg), password: one(passSeg), akaK: one(kSeg), akaOp: one(opSeg), uri: seg.text }, ctx, line, body);
}

interface Credentials {
  readonly username: string;
  readonly password: string;
  readonly akaK: string;
  readonly akaOp: string;
  /** -auth_uri's digest uri; '' for the Request-URI. */
  readonly uri: string;
}

function authorizationFor(creds: Credentials, ctx: RenderContext, line: string, body: string): string {
  const msg = ctx.lastRecv;
  if (msg === undefined || (msg.status !== 401 && msg.status !== 407)) return '';
  // RFC 3261 §7.3.1: the commas of an authentication header separate parameters, not values: one line, one challenge.
  const challenge = pickChallenge(findHeaders(msg, msg.status === 407 ? 'proxy-authenticate' : 'www-authenticate').map((h) => msg.raw.slice(h.valueStart, h.end)));
  if (challenge === undefined) return '';
  let password = creds.password;
  if (challenge.algorithm.startsWith('AKAV1')) {
    // RFC 3310 §3.4: the password is the RES computed from the nonce's RAND and AUTN.
    const res = akaResponse(challenge.nonce, creds.akaK, creds.akaOp);
    if (res === undefined) return '';
    password = res.toString('latin1');
  }
  const sp1 = line.indexOf(' ');
  const sp2 = line.indexOf(' ', sp1 + 1);
  const value = authorizationValue(challenge, {
    username: creds.username, password, method: line.slice(0, sp1), uri: creds.uri !== '' ? creds.uri : line.slice(sp1 + 1, sp2),
    body, nc: ctx.nonceCount(challenge.nonce), cnonce: newCnonce(),
  });
  return `${msg.status === 407 ? 'Proxy-Authorization' : 'Authorization'}: ${value}`;
}

/**
 * SIPp compat: an injection field may hold `[authentication username=… password=…]`; [fieldN] then
 * renders the header it stands for. Values are plain text there (no nested keywords).
 */
function expandFieldAuth(value: string, ctx: RenderContext, line: string, body: string): string {
  return value.replace(/\[authentication([^\]]*)\]/g, (_m, params: string) => {
    const p = new Map<string, string>();
    for (const m of params.matchAll(/([a-zA-Z_]+)=("[^"]*"|\S+)/g)) p.set(m[1] ?? '', (m[2] ?? '').replace(/^"(.*)"$/, '$1'));
    return authorizationFor({ username: p.get('username') ?? '', password: p.get('password') ?? '', akaK: p.get('aka_K') ?? '', akaOp: p.get('aka_OP') ?? '', uri: '' }, ctx, line, body);
  });
}

function compileLine(text: string, offset: number, env: TemplateEnv, vars: CompileScope, report: ReportAt, out: Segment[], crlf = true): void {
  const line: Segment[] = [];
  let optional = false;
  let onlyKeywords = true;
  let i = 0;
  while (i < text.length) {
    const open = findKeywordStart(text, i);
    // SIPp compat (message.cpp, SendingMessage): \xHH is read before keywords, so \x5b is a literal '['.
    const esc = text.indexOf('\\x', i);
    if (esc >= 0 && (open < 0 || esc < open)) {
      if (esc > i) pushLit(line, toBytes(text.slice(i, esc)));
      i = hexEscape(text, esc, line);
      onlyKeywords = false;
      continue;
    }
    if (open < 0) { pushLit(line, toBytes(text.slice(i))); onlyKeywords = false; break; }
    if (open > i) { pushLit(line, toBytes(text.slice(i, open))); onlyKeywords = false; }
    const close = matchingBracket(text, open);
    if (close < 0) {
      report(offset + open, `keyword starting with '[' is never closed`, 'end the keyword with ], or remove the [');
      return;
    }
    const inner = text.slice(open + 1, close).trim();
    const innerAt = offset + open + 1 + text.slice(open + 1).search(/\S/);
    const parsed = /^authentication(\s|$)/.test(inner) ? authKeyword(inner, innerAt, env, vars, report)
      : /^file(\s|$)/.test(inner) ? fileKeyword(inner, innerAt, env, vars, report)
        : parseKeyword(inner, env, vars);
    if ('error' in parsed) report(offset + open, parsed.error, parsed.hint);
    else {
      if (parsed.warning !== undefined) vars.warn?.(offset + open, parsed.warning);
      if (parsed.seg.op === Op.Lit) { pushLit(line, toBytes(parsed.seg.text)); onlyKeywords = false; }
      else {
        if (parsed.seg.text !== '' && parsed.seg.op === Op.Branch) pushLit(line, parsed.seg.text);
        line.push(parsed.seg.op === Op.Branch ? { ...parsed.seg, text: '' } : parsed.seg);
        optional ||= parsed.optionalLine;
      }
    }
    i = close + 1;
  }
  if (crlf) pushLit(line, '\r\n');
  if (optional && onlyKeywords) out.push({ op: Op.OptLine, text: '', n: 0, m: 0, sub: line });
  else for (const s of line) if (s.op === Op.Lit) pushLit(out, s.text); else out.push(s);
}

const hexDigit = (c: string | undefined): number => (c === undefined || !/^[0-9a-fA-F]$/.test(c) ? -1 : Number.parseInt(c, 16));

/**
 * The byte `\xH` or `\xHH` at `at` stands for, pushed as a literal; returns where the text goes on.
 * SIPp compat: like SIPp, the character after the digits is dropped when only one digit is there, and so
 * is the character after `\x` when no digit follows (`\x5;` is byte 5 without the ';', `\xg` is nothing).
 */
function hexEscape(text: string, at: number, line: Segment[]): number {
  let j = at + 2;
  const high = hexDigit(text[j]);
  if (high >= 0) {
    j++;
    const low = hexDigit(text[j]);
    pushLit(line, String.fromCharCode(low >= 0 ? high * 16 + low : high));
  }
  return Math.min(j + 1, text.length);
}

/** The ']' that closes the '[' at `open`, counting nested keywords ([authentication username=[field0]]). */
function matchingBracket(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === '[') depth++;
    else if (text[i] === ']' && --depth === 0) return i;
  }
  return -1;
}

/** [authentication] or [authentication username=… password=…]; the values may hold keywords. */
function authKeyword(inner: string, offset: number, env: TemplateEnv, vars: CompileScope, report: ReportAt): { seg: Segment; optionalLine: boolean; warning?: string } | { error: string; hint: string } {
  const group = (text: string, at: number): Segment => ({ op: Op.Group, text: '', n: 0, m: 0, sub: compileText({ text, offset: at }, env, vars, report) });
  let user: Segment = { op: Op.Group, text: '', n: 0, m: 0, sub: [{ op: Op.Lit, text: toBytes(env.authUser), n: 0, m: 0, sub: undefined }] };
  let pass: Segment = { op: Op.Group, text: '', n: 0, m: 0, sub: [{ op: Op.Lit, text: toBytes(env.authPassword), n: 0, m: 0, sub: undefined }] };
  const none: Segment = { op: Op.Group, text: '', n: 0, m: 0, sub: [] };
  let akaK = none;
  let akaOp = none;
  const params = inner.slice('authentication'.length);
  const base = offset + 'authentication'.length;
  for (const m of params.matchAll(/([a-zA-Z_]+)=("[^"]*"|\[[^\]]*\]\S*|\S+)/g)) {
    const value = (m[2] ?? '').replace(/^"(.*)"$/, '$1');
    const at = base + m.index + (m[1] ?? '').length + 1;
    if (m[1] === 'username') user = group(value, at);
    else if (m[1] === 'password') pass = group(value, at);
    else if (m[1] === 'aka_K') akaK = group(value, at);
    else if (m[1] === 'aka_OP') akaOp = group(value, at);
    else if (m[1] === 'aka_AMF') { /* the AMF comes from the challenge's AUTN */ }
    else return { error: `[authentication] has an unknown parameter ${m[1] ?? ''}`, hint: 'its parameters are username=…, password=…, and for AKA aka_K=…, aka_OP=…, aka_AMF=…' };
  }
  // SIPp compat (auth.cpp): -auth_uri X makes the digest uri sip:X.
  return { seg: { op: Op.Auth, text: env.authUri === undefined ? '' : toBytes(`sip:${env.authUri}`), n: 0, m: 0, sub: [user, pass, akaK, akaOp] }, optionalLine: true };
}

/**
 * [file name="body.sdp"]: the file's bytes, as they are (no CRLF rules), read at every send like SIPp. The
 * name may hold keywords; a plain name is checked at load time.
 */
function fileKeyword(inner: string, offset: number, env: TemplateEnv, vars: CompileScope, report: ReportAt): { seg: Segment; optionalLine: boolean; warning?: string } | { error: string; hint: string } {
  const m = /^file\s+name=("([^"]*)"|(\S+))\s*$/.exec(inner);
  const name = m === null ? undefined : (m[2] ?? m[3] ?? '');
  if (m === null || name === undefined || name === '') return { error: '[file] needs name=…, the file to insert', hint: 'e.g. [file name="body.sdp"]' };
  const at = offset + inner.indexOf('=') + 1 + (m[2] !== undefined ? 1 : 0);
  const sub = compileText({ text: name, offset: at }, env, vars, report);
  if (sub.every((x) => x.op === Op.Lit) && !existsSync(name)) return { error: `[file name=${name}]: no such file (read from ${process.cwd()})`, hint: 'give a path from the directory sipts runs in, or an absolute path' };
  return { seg: { op: Op.File, text: '', n: 0, m: 0, sub }, optionalLine: false };
}

/** SIPp compat: [file] inserts the file as it is; one that cannot be read at send time inserts nothing. */
function fileContent(name: string): string {
  try { return readFileSync(name, 'latin1'); } catch { return ''; }
}

/** A keyword starts with '[' and a letter or '$'; any other '[' (an IPv6 literal, say) is text. */
function findKeywordStart(text: string, from: number): number {
  let i = text.indexOf('[', from);
  while (i >= 0) {
    const c = text.charCodeAt(i + 1);
    if ((c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 36 || c === 95) return i;
    i = text.indexOf('[', i + 1);
  }
  return -1;
}

/** Renders a compiled message for a call. `msgIndex` is the step index, used by [branch]. */
export function renderTemplate(t: CompiledTemplate, ctx: RenderContext, msgIndex: number): string {
  const body = t.body.length === 0 ? '' : renderSegments(t.body, ctx, msgIndex, 0, '', NONE);
  return renderSegments(t.header, ctx, msgIndex, body.length, body, t.startLine) + body;
}

const NONE: readonly Segment[] = [];

/** `startLine` is the compiled start line, rendered only if an [authentication] needs it. */
function renderSegments(segs: readonly Segment[], ctx: RenderContext, msgIndex: number, bodyLength: number, body: string, startLine: readonly Segment[]): string {
  let s = '';
  for (let i = 0; i < segs.length; i++) {
    const seg = segs[i] as Segment;
    switch (seg.op) {
      case Op.Lit: s += seg.text; break;
      case Op.CallId: s += ctx.callId; break;
      case Op.CallNumber: s += ctx.number + seg.n; break;
      case Op.Cseq: s += ctx.cseq + seg.n; break;
      case Op.Branch: s += `${ctx.idTag}-${ctx.number}-${msgIndex + seg.n}`; break;
      case Op.Len: s += bodyLength === 0 ? 0 : bodyLength + seg.n; break;
      case Op.ServerIp: s += ctx.serverIp; break;
      case Op.MsgIndex: s += msgIndex; break;
      case Op.AutoMediaPort: s += seg.n + ((4 * (ctx.number - 1)) % 10000); break;
      case Op.Date: s += new Date().toUTCString(); break;
      case Op.File: s += fileContent(renderSegments(seg.sub ?? [], ctx, msgIndex, bodyLength, body, startLine)); break;
      case Op.CryptoKey: s += ctx.cryptoKey(seg.n, seg.m === 1); break;
      case Op.PeerTagParam: s += ctx.peerTagParam; break;
      case Op.LastHeader: s += lastHeader(ctx.lastRecv, seg.text, false); break;
      case Op.LastHeaderValue: s += lastHeader(ctx.lastRecv, seg.text, true); break;
      case Op.Routes: s += ctx.routes; break;
      case Op.NextUrl: s += ctx.nextUrl; break;
      case Op.RemoteIp: s += ctx.remoteIpEscaped; break;
      case Op.RemotePort: s += ctx.remotePort + seg.n; break;
      case Op.LocalPort: s += ctx.localPort + seg.n; break;
      case Op.LocalIp: s += ctx.localIpEscaped; break;
      case Op.Var: s += renderVar(seg.text === 'g' ? ctx.globals[seg.n] : ctx.vars[seg.n]); break;
      case Op.Field: {
        const line = seg.sub !== undefined ? Number(renderSegments(seg.sub, ctx, msgIndex, bodyLength, body, startLine)) : seg.text === '' ? -1 : Number(seg.text);
        const value = ctx.field(seg.m, seg.n, Number.isFinite(line) ? line : -1);
        s += value.includes('[authentication') ? expandFieldAuth(value, ctx, renderSegments(startLine, ctx, msgIndex, bodyLength, body, NONE), body) : value;
        break;
      }
      case Op.Group: s += renderSegments(seg.sub ?? [], ctx, msgIndex, bodyLength, body, startLine); break;
      case Op.Auth: s += authorization(seg, ctx, renderSegments(startLine, ctx, msgIndex, bodyLength, body, NONE), body); break;
      case Op.ClockTick: s += Math.floor(ctx.clockTick()); break;
      case Op.Timestamp: s += sippTime(Date.now()); break;
      case Op.UserId: s += ctx.userId; break;
      case Op.Fill: {
        const n = Math.max(0, Math.floor(Number(seg.m === 1 ? ctx.globals[seg.n] : ctx.vars[seg.n]) || 0));
        s += seg.text.repeat(Math.ceil(n / seg.text.length)).slice(0, n);
        break;
      }
      case Op.LastPart: s += seg.n === 0 ? lastPart(ctx.lastRecv, seg.text) : Number(lastPart(ctx.lastRecv, seg.text) || 0) + seg.n; break;
      case Op.Tdm: s += ctx.tdmCircuit(); break;
      case Op.DynamicId: s += ctx.nextDynamicId(); break;
      case Op.OptLine: {
        const line = renderSegments(seg.sub ?? [], ctx, msgIndex, bodyLength, body, startLine);
        if (line !== '\r\n') s += line;
        break;
      }
      default: break;
    }
  }
  return s;
}

function lastPart(msg: SipMessage | undefined, which: string): string {
  // SIPp compat: [last_cseq_number] is 0 before anything was received.
  if (msg === undefined) return which === 'cseq' ? '0' : '';
  if (which === 'cseq') return String(msg.cseq);
  if (which === 'message') return msg.raw;
  if (msg.status !== 0) return '';
  const first = msg.raw.slice(0, msg.raw.indexOf('\n')).replace(/\r$/, '');
  return first.slice(first.indexOf(' ') + 1, first.lastIndexOf(' '));
}

/** SIPp compat: [last_Via:] copies every such header line of the last received message, as received. */
function lastHeader(msg: SipMessage | undefined, name: string, valueOnly: boolean): string {
  if (msg === undefined) return '';
  const lines = findHeaders(msg, name);
  let s = '';
  for (let i = 0; i < lines.length; i++) {
    const h = lines[i];
    if (h === undefined) continue;
    if (i > 0) s += valueOnly ? ', ' : '\r\n';
    s += msg.raw.slice(valueOnly ? h.valueStart : h.start, h.end);
  }
  return s;
}
