/**
 * Load-time half of message templates: turns a <send>'s text into a CompiledTemplate (SIPp's line rules
 * applied, keywords parsed, errors reported at their place). The compiled form is plain data (Segments)
 * that engine/render.ts fills for a call at send time; nothing here runs per message.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { TemplateSource } from './ast.js';
import { parseKeyword, type CompileScope, type TemplateEnv } from './keywords.js';
import { Op, type Segment } from './segment.js';

export interface CompiledTemplate {
  readonly header: readonly Segment[];
  /** The start line's segments, rendered again only when an Authorization needs method and Request-URI. */
  readonly startLine: readonly Segment[];
  readonly body: readonly Segment[];
  /** The request method, or '' when the message is a response; undefined if only known once rendered. */
  readonly method: string | undefined;
  /** The body has SDES crypto lines (a=crypto:, RFC 4568): the media layer reads the keys the call sends. */
  readonly sdes?: boolean;
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
 * lines end with CRLF, the header block ends with an empty line and every body line ends with CRLF but the
 * last, which does only when a line end followed it in the scenario.
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
  let trailing = 0;
  while (rawLines.length > 0 && rawLines[rawLines.length - 1]?.text === '') {
    rawLines.pop();
    trailing++;
  }
  const blank = rawLines.findIndex((l) => l.text === '');
  const headerLines = blank < 0 ? rawLines : rawLines.slice(0, blank);
  const bodyLines = blank < 0 ? [] : rawLines.slice(blank + 1);

  const header: Segment[] = [];
  for (const l of headerLines) compileLine(l.text, l.offset, env, vars, report, header);
  pushLit(header, '\r\n');
  const body: Segment[] = [];
  // SIPp compat (scenario.cpp, clean_cdata and <send>): the last body line ends with CRLF only when the text
  // had a line end after it; a body closed by ]]> on its own line is sent as written, so an explicit
  // Content-Length counts it right (SIPp's regression test for github issue 34).
  bodyLines.forEach((l, i) => {
    compileLine(l.text, l.offset, env, vars, report, body, i < bodyLines.length - 1 || trailing > 0);
  });

  const first = headerLines[0]?.text ?? '';
  const word = /^([A-Za-z][A-Za-z0-9!%*_+`'~.-]*) /.exec(first);
  const method = first.startsWith('SIP/2.0 ') ? '' : word !== null ? word[1] : undefined;
  // [fieldN] may carry an [authentication …] of its own (SIPp compat), so it needs the start line too.
  const needsStartLine = (x: Segment): boolean => x.op === Op.Auth || x.op === Op.Field;
  const needsLine = header.some((seg) => needsStartLine(seg) || (seg.sub ?? []).some(needsStartLine));
  const startLine: Segment[] = [];
  if (needsLine && headerLines[0] !== undefined)
    compileLine(headerLines[0].text, headerLines[0].offset, env, vars, () => undefined, startLine, false);
  const sdes = body.some((seg) => seg.op === Op.Lit && seg.text.includes('a=crypto:'));
  return { header, startLine, body, method, ...(sdes ? { sdes } : {}) };
}

/** A one-line text with keywords (assignstr value, log message, exec command): no CRLF, no line rules. */
export function compileText(src: TemplateSource, env: TemplateEnv, vars: CompileScope, report: ReportAt): readonly Segment[] {
  const out: Segment[] = [];
  compileLine(src.text, src.offset, env, vars, report, out, false);
  return out;
}

function compileLine(
  text: string,
  offset: number,
  env: TemplateEnv,
  vars: CompileScope,
  report: ReportAt,
  out: Segment[],
  crlf = true,
): void {
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
    if (open < 0) {
      pushLit(line, toBytes(text.slice(i)));
      onlyKeywords = false;
      break;
    }
    if (open > i) {
      pushLit(line, toBytes(text.slice(i, open)));
      onlyKeywords = false;
    }
    const close = matchingBracket(text, open);
    if (close < 0) {
      report(offset + open, `keyword starting with '[' is never closed`, 'end the keyword with ], or remove the [');
      return;
    }
    const inner = text.slice(open + 1, close).trim();
    const innerAt = offset + open + 1 + text.slice(open + 1).search(/\S/);
    const parsed = /^authentication(\s|$)/.test(inner)
      ? authKeyword(inner, innerAt, env, vars, report)
      : /^file(\s|$)/.test(inner)
        ? fileKeyword(inner, innerAt, env, vars, report)
        : parseKeyword(inner, env, vars);
    if ('error' in parsed) report(offset + open, parsed.error, parsed.hint);
    else {
      if (parsed.warning !== undefined) vars.warn?.(offset + open, parsed.warning);
      if (parsed.seg.op === Op.Lit) {
        pushLit(line, toBytes(parsed.seg.text));
        onlyKeywords = false;
      } else {
        if (parsed.seg.text !== '' && parsed.seg.op === Op.Branch) pushLit(line, parsed.seg.text);
        line.push(parsed.seg.op === Op.Branch ? { ...parsed.seg, text: '' } : parsed.seg);
        optional ||= parsed.optionalLine;
      }
    }
    i = close + 1;
  }
  if (crlf) pushLit(line, '\r\n');
  if (optional && onlyKeywords) out.push({ op: Op.OptLine, text: '', n: 0, m: 0, sub: line });
  else
    for (const s of line)
      if (s.op === Op.Lit) pushLit(out, s.text);
      else out.push(s);
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
function authKeyword(
  inner: string,
  offset: number,
  env: TemplateEnv,
  vars: CompileScope,
  report: ReportAt,
): { seg: Segment; optionalLine: boolean; warning?: string } | { error: string; hint: string } {
  const group = (text: string, at: number): Segment => ({
    op: Op.Group,
    text: '',
    n: 0,
    m: 0,
    sub: compileText({ text, offset: at }, env, vars, report),
  });
  let user: Segment = {
    op: Op.Group,
    text: '',
    n: 0,
    m: 0,
    sub: [{ op: Op.Lit, text: toBytes(env.authUser), n: 0, m: 0, sub: undefined }],
  };
  let pass: Segment = {
    op: Op.Group,
    text: '',
    n: 0,
    m: 0,
    sub: [{ op: Op.Lit, text: toBytes(env.authPassword), n: 0, m: 0, sub: undefined }],
  };
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
    else if (m[1] === 'aka_AMF') {
      /* the AMF comes from the challenge's AUTN */
    } else
      return {
        error: `[authentication] has an unknown parameter ${m[1] ?? ''}`,
        hint: 'its parameters are username=…, password=…, and for AKA aka_K=…, aka_OP=…, aka_AMF=…',
      };
  }
  // SIPp compat (auth.cpp): -auth_uri X makes the digest uri sip:X.
  return {
    seg: { op: Op.Auth, text: env.authUri === undefined ? '' : toBytes(`sip:${env.authUri}`), n: 0, m: 0, sub: [user, pass, akaK, akaOp] },
    optionalLine: true,
  };
}

/**
 * [file name="body.sdp"]: the file's bytes, as they are (no CRLF rules), read at every send like SIPp. The
 * name may hold keywords; a plain name is checked at load time.
 */
function fileKeyword(
  inner: string,
  offset: number,
  env: TemplateEnv,
  vars: CompileScope,
  report: ReportAt,
): { seg: Segment; optionalLine: boolean; warning?: string } | { error: string; hint: string } {
  const m = /^file\s+name=("([^"]*)"|(\S+))\s*$/.exec(inner);
  const name = m === null ? undefined : (m[2] ?? m[3] ?? '');
  if (m === null || name === undefined || name === '')
    return { error: '[file] needs name=…, the file to insert', hint: 'e.g. [file name="body.sdp"]' };
  const at = offset + inner.indexOf('=') + 1 + (m[2] !== undefined ? 1 : 0);
  const sub = compileText({ text: name, offset: at }, env, vars, report);
  if (sub.every((x) => x.op === Op.Lit) && !existsSync(name))
    return {
      error: `[file name=${name}]: no such file (looked for ${resolve(name)})`,
      hint: 'give a path from the directory sipts runs in, or an absolute path',
    };
  return { seg: { op: Op.File, text: '', n: 0, m: 0, sub }, optionalLine: false };
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
