/**
 * Send-time half of message templates: fills a template compiled by scenario/template.ts for one call.
 * The compiled form is plain data (an array of Segments, one shape, see scenario/segment.ts) that this one
 * loop interprets with a switch on its op: monomorphic, no closure per segment or per message, and the
 * literal text is ready, so a send is string concatenation. Output is a latin1 byte string (sip/message.ts).
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { sippTime } from '../format.js';
import { joinHeaders } from '../sip/headers.js';
import type { SipMessage } from '../sip/message.js';
import type { CompiledTemplate } from '../scenario/template.js';
import { Op, type Segment } from '../scenario/segment.js';
import { authorizationFor, expandFieldAuth, type AuthContext } from './render-auth.js';
import { formatVar, type VarValue } from './var-value.js';

/** What a template reads from the call while rendering. The engine's call state implements it. */
export interface RenderContext extends AuthContext {
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
  readonly vars: readonly VarValue[];
  readonly globals: readonly VarValue[];
  /** Field `field` of injection file `file`: the call's line, or line `line` when it is >= 0. */
  field(file: number, field: number, line: number): string;
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
  /** [rtpstream_audio_port], [auto_media_port]: the call's RTP port, plus the offset `base` has from -mp. */
  autoMediaPort(base: number): number;
}

/** SIPp's [cryptokeyparams…]: 16 bytes of master key and 14 of salt, base64 (40 characters, RFC 4568 §6.1). */
export function newCryptoKey(): string {
  return randomBytes(30).toString('base64');
}

/**
 * [$var] in a message. SIPp compat: SIPp 3.6.1 renders a number only when it is "set", and 0 is not: it renders
 * as nothing (a <lookup> that found line 0, a <strcmp> of equal strings); a false still renders "false".
 */
function renderVar(v: VarValue): string {
  return v === 0 ? '' : formatVar(v);
}

const NONE: readonly Segment[] = [];

/** Renders a compiled message for a call. `msgIndex` is the step index, used by [branch]. */
export function renderTemplate(t: CompiledTemplate, ctx: RenderContext, msgIndex: number): string {
  const body = t.body.length === 0 ? '' : renderSegments(t.body, ctx, msgIndex, 0, '', NONE);
  return renderSegments(t.header, ctx, msgIndex, body.length, body, t.startLine) + body;
}

/** A one-line text compiled by compileText (assignstr value, log message, exec command). */
export function renderText(segs: readonly Segment[], ctx: RenderContext): string {
  return renderSegments(segs, ctx, 0, 0, '', NONE);
}

/** [authentication …]: its parameter groups rendered, then the header answering the last challenge. */
function authorization(seg: Segment, ctx: RenderContext, line: string, body: string): string {
  const [userSeg, passSeg, kSeg, opSeg] = seg.sub ?? [];
  const one = (g: Segment | undefined): string => (g === undefined ? '' : renderSegments(g.sub ?? [], ctx, 0, 0, '', NONE));
  return authorizationFor(
    { username: one(userSeg), password: one(passSeg), akaK: one(kSeg), akaOp: one(opSeg), uri: seg.text },
    ctx,
    line,
    body,
  );
}

/** SIPp compat: [file] inserts the file as it is; one that cannot be read at send time inserts nothing. */
function fileContent(name: string): string {
  try {
    return readFileSync(name, 'latin1');
  } catch {
    return '';
  }
}

/** `startLine` is the compiled start line, rendered only if an [authentication] needs it. */
function renderSegments(
  segs: readonly Segment[],
  ctx: RenderContext,
  msgIndex: number,
  bodyLength: number,
  body: string,
  startLine: readonly Segment[],
): string {
  let s = '';
  for (let i = 0; i < segs.length; i++) {
    const seg = segs[i] as Segment;
    switch (seg.op) {
      case Op.Lit:
        s += seg.text;
        break;
      case Op.CallId:
        s += ctx.callId;
        break;
      case Op.CallNumber:
        s += ctx.number + seg.n;
        break;
      case Op.Cseq:
        s += ctx.cseq + seg.n;
        break;
      case Op.Branch:
        s += `${ctx.idTag}-${ctx.number}-${msgIndex + seg.n}`;
        break;
      case Op.Len:
        s += bodyLength === 0 ? 0 : bodyLength + seg.n;
        break;
      case Op.ServerIp:
        s += ctx.serverIp;
        break;
      case Op.MsgIndex:
        s += msgIndex;
        break;
      case Op.AutoMediaPort:
        s += ctx.autoMediaPort(seg.n);
        break;
      case Op.Date:
        s += new Date().toUTCString();
        break;
      case Op.File:
        s += fileContent(renderSegments(seg.sub ?? [], ctx, msgIndex, bodyLength, body, startLine));
        break;
      case Op.CryptoKey:
        s += ctx.cryptoKey(seg.n, seg.m === 1);
        break;
      case Op.PeerTagParam:
        s += ctx.peerTagParam;
        break;
      case Op.LastHeader:
        s += lastHeader(ctx.lastRecv, seg.text, false);
        break;
      case Op.LastHeaderValue:
        s += lastHeader(ctx.lastRecv, seg.text, true);
        break;
      case Op.Routes:
        s += ctx.routes;
        break;
      case Op.NextUrl:
        s += ctx.nextUrl;
        break;
      case Op.RemoteIp:
        s += ctx.remoteIpEscaped;
        break;
      case Op.RemotePort:
        s += ctx.remotePort + seg.n;
        break;
      case Op.LocalPort:
        s += ctx.localPort + seg.n;
        break;
      case Op.LocalIp:
        s += ctx.localIpEscaped;
        break;
      case Op.Var:
        s += renderVar(seg.text === 'g' ? ctx.globals[seg.n] : ctx.vars[seg.n]);
        break;
      case Op.Field: {
        const line =
          seg.sub !== undefined
            ? Number(renderSegments(seg.sub, ctx, msgIndex, bodyLength, body, startLine))
            : seg.text === ''
              ? -1
              : Number(seg.text);
        const value = ctx.field(seg.m, seg.n, Number.isFinite(line) ? line : -1);
        s += value.includes('[authentication')
          ? expandFieldAuth(value, ctx, renderSegments(startLine, ctx, msgIndex, bodyLength, body, NONE), body)
          : value;
        break;
      }
      case Op.Group:
        s += renderSegments(seg.sub ?? [], ctx, msgIndex, bodyLength, body, startLine);
        break;
      case Op.Auth:
        s += authorization(seg, ctx, renderSegments(startLine, ctx, msgIndex, bodyLength, body, NONE), body);
        break;
      case Op.ClockTick:
        s += Math.floor(ctx.clockTick());
        break;
      case Op.Timestamp:
        s += sippTime(Date.now());
        break;
      case Op.UserId:
        s += ctx.userId;
        break;
      case Op.Fill: {
        const n = Math.max(0, Math.floor(Number(seg.m === 1 ? ctx.globals[seg.n] : ctx.vars[seg.n]) || 0));
        s += seg.text.repeat(Math.ceil(n / seg.text.length)).slice(0, n);
        break;
      }
      case Op.LastPart:
        s += seg.n === 0 ? lastPart(ctx.lastRecv, seg.text) : Number(lastPart(ctx.lastRecv, seg.text) || 0) + seg.n;
        break;
      case Op.Tdm:
        s += ctx.tdmCircuit();
        break;
      case Op.DynamicId:
        s += ctx.nextDynamicId();
        break;
      case Op.OptLine: {
        const line = renderSegments(seg.sub ?? [], ctx, msgIndex, bodyLength, body, startLine);
        if (line !== '\r\n') s += line;
        break;
      }
      default:
        break;
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
  return msg === undefined ? '' : joinHeaders(msg, name, valueOnly ? ', ' : '\r\n', valueOnly);
}
