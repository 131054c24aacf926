/**
 * One call's state: where it is in the scenario and what it has learned from the wire. No behaviour:
 * the interpreter moves it; the registry finds it.
 */
import type { InjectionStore } from '../data/injection.js';
import type { DynamicIdCounter } from './dynamic-id.js';
import type { IdSpace } from './id-space.js';
import { formulaPort } from './media-port.js';
import { newCryptoKey, type RenderContext } from './render.js';
import type { VarValue } from './var-value.js';
import type { SipMessage } from '../sip/message.js';
import type { Endpoint } from '../transport/transport.js';
import type { RetransKey } from './retrans-key.js';
import type { TimerNode } from './timer-wheel.js';
import type { HistoryEntry } from '../events/trace.js';

export const TimerKind = { Retrans: 0, Step: 1 } as const;

/** A wheel node that knows its call, so firing needs no closure. */
export interface CallTimer extends TimerNode {
  readonly call: CallState;
  readonly kind: number;
}

export interface DialogTarget {
  readonly remoteTarget: string | undefined;
  readonly routes: string | undefined;
}

const newTimer = (call: CallState, kind: number): CallTimer => ({
  call,
  kind,
  deadlineMs: 0,
  prev: undefined,
  next: undefined,
  armed: false,
  slot: 0,
});

/**
 * Shared by the calls of a scenario without variables / response-time measures: no slot exists to write,
 * and an empty array per call is 32 bytes held for nothing.
 */
const NO_VARS: VarValue[] = [];
const NO_RTDS: number[] = [];
const NO_PENDING: readonly string[] = [];

/**
 * n copies of v, built by push: new Array(n).fill(v) makes a holey array that fill() fills in the runtime's C++
 * (a tenth of a call's start in a perf profile of -sn uac at 3,000/s), where a short push loop stays in compiled code.
 */
function filled<T>(n: number, v: T): T[] {
  const a: T[] = [];
  for (let i = 0; i < n; i++) a.push(v);
  return a;
}

/**
 * `pending` with `method` added (the same array when it has it). A copy, as `pending` may be shared; by slice and
 * push, which stay in V8's generated code: a spread iterates, and concat is a C++ builtin behind an adaptor frame.
 */
export function withMethod(pending: readonly string[], method: string): readonly string[] {
  if (pending.includes(method)) return pending;
  const out = pending.slice();
  out.push(method);
  return out;
}

/** `pending` without `method` (the same array when it has none); the shared empty array when nothing is left. */
export function withoutMethod(pending: readonly string[], method: string): readonly string[] {
  if (!pending.includes(method)) return pending;
  return pending.length === 1 ? NO_PENDING : pending.filter((m) => m !== method);
}

/** What a new call is made of. */
/** What a call asks of the run's media when it renders its port (media.ts, MediaHost.autoPort). */
export interface CallPorts {
  autoPort?(call: CallState, base: number): number;
}

export interface CallInit {
  readonly number: number;
  readonly callId: string;
  readonly endpoint: Endpoint;
  readonly remoteAddress: string;
  readonly remotePort: number;
  /** The engine's ids: its [dynamic_id] counter, and its tag in [branch]. */
  readonly ids: IdSpace;
  /** -rsa: where the call's messages are sent, when not to the remote address. */
  readonly sendTo?: { readonly address: string; readonly port: number } | undefined;
  readonly startMs: number;
  readonly baseCseq: number;
  readonly rtdCount: number;
  readonly varCount: number;
  readonly globals: VarValue[];
  readonly injection: InjectionStore;
  readonly injectionLines: readonly number[];
  /** -users: the user this call belongs to; 0 without -users. */
  readonly userId: number;
  /** ms since the run started. */
  readonly runClock: () => number;
  /** The -tdmmap circuit the call holds (-1: none) and its name. */
  readonly circuit: number;
  readonly circuitName: string;
  /** The run's media (a MediaHost), for [rtpstream_audio_port]: a port the call holds; undefined without media. */
  readonly media?: CallPorts | undefined;
}

export class CallState implements RenderContext {
  stepIndex = 0;
  cseq: number;
  /** Set once the call has sent a request that takes a CSeq of its own. */
  cseqUsed = false;
  peerTagParam = '';
  routes = '';
  nextUrl = '';
  /** The last message received; let go while the call waits where nothing reads it (run-call.ts: park). */
  lastRecv: SipMessage | undefined = undefined;
  lastRecvIndex = -1;
  lastSent = '';
  lastSentIndex = -1;
  lastSentIsInvite = false;
  /**
   * The message sent in answer to a receive: for a response, the first message sent after it (SIPp compat);
   * for a request, the latest response sent to it. When the peer repeats that receive (it missed the
   * answer), the answer is sent again: the ACK for a repeated 200, the 200 for a repeated BYE or INVITE.
   * `unanswered` is set between a receive and the next send. Only the received message's key is kept, not
   * the message: a UAS would otherwise hold the INVITE it answered (half a kilobyte and more) all call long.
   */
  answered: RetransKey | undefined = undefined;
  answeredIndex = -1;
  answer = '';
  answerIndex = -1;
  unanswered = false;
  retransCount = 0;
  retransIntervalMs = 0;
  /**
   * Methods of requests sent that have not had a final response yet (RFC 3261 §17.1 client transactions).
   * Replaced, never changed in place: most calls wait with none, and then share one empty array.
   */
  pending: readonly string[] = NO_PENDING;
  /**
   * Start time of each response-time measure, by rtd index; NaN when not started. A plain array: a typed
   * array costs ~180 bytes of heap and a native backing store per call, for one or two numbers.
   */
  readonly rtdStartMs: number[];
  readonly retransTimer: CallTimer;
  readonly stepTimer: CallTimer;
  ended = false;
  /**
   * What a CANCEL or BYE on abort copies its From, To, Call-ID and Via from (parsed only then): the last
   * INVITE this call sent, until the ACK of its 2xx takes its place. The ACK is kept anyway (it answers a
   * repeated 2xx), so a call in a long pause does not also hold its INVITE, the largest message it sent.
   */
  hangUpBase = '';
  /** The INVITE had a provisional response (CANCEL possible). */
  inviteProvisional = false;
  /**
   * RFC 3261 §12.1.2: the remote target (Contact) and route set (Record-Route) of the 2xx that confirmed the
   * dialog, taken when it came, so that the call need not keep the 2xx; read only by a BYE on abort. A field
   * is undefined when the 2xx had no such header. Undefined until a 2xx to the last INVITE.
   */
  dialogTarget: DialogTarget | undefined = undefined;
  byeSent = false;

  /** The INVITE had a 2xx: the dialog is confirmed. */
  get dialogConfirmed(): boolean {
    return this.dialogTarget !== undefined;
  }
  /** CSeq number and method of each named transaction (start_txn), by index; made at the first start_txn. */
  txns: { readonly cseq: number[]; readonly method: string[] } | undefined = undefined;
  /** Set by <pauserestore>: the next pause ends at this run time (ms since start) instead; 0: none. */
  restoredPauseAt = 0;
  /** Every message of the call, kept only when a tracer wants failed calls' evidence. */
  history: HistoryEntry[] | undefined = undefined;
  /** True while an unexpected message is offered to the _unexp.main handler (no second detour). */
  handlingUnexpected = false;
  /** Set by a <jump> action: the step to go to next; -1 for none. */
  jumpTo = -1;
  readonly vars: VarValue[];

  readonly number: number;
  readonly callId: string;
  /** The call's socket or connection; <closecon> replaces it with a new one. */
  endpoint: Endpoint;
  /** While a send waits for a congested connection: when its send timeout passes (host clock); 0: none. */
  sendDeadline = 0;
  /** The remote side: [remote_ip] and [remote_port]; <setdest> may change it. */
  remoteAddress: string;
  remotePort: number;
  /** Where the call's messages are sent: the remote side, or -rsa's address; <setdest> sets it too. */
  sendAddress: string;
  sendPort: number;
  readonly startMs: number;
  readonly userId: number;
  /** <Global> variables: one array shared by every call of the run. */
  readonly globals: VarValue[];
  readonly injection: InjectionStore;
  private readonly dynamicIds: DynamicIdCounter;
  readonly idTag: string;
  /** The line of each injection file this call uses. */
  private readonly injectionLines: readonly number[];
  private readonly runClock: () => number;
  readonly circuit: number;
  private readonly circuitName: string;

  constructor(init: CallInit) {
    this.circuit = init.circuit;
    this.circuitName = init.circuitName;
    this.media = init.media;
    this.number = init.number;
    this.callId = init.callId;
    this.endpoint = init.endpoint;
    this.remoteAddress = init.remoteAddress;
    this.remotePort = init.remotePort;
    this.sendAddress = init.sendTo?.address ?? init.remoteAddress;
    this.sendPort = init.sendTo?.port ?? init.remotePort;
    this.startMs = init.startMs;
    this.userId = init.userId;
    this.globals = init.globals;
    this.injection = init.injection;
    this.dynamicIds = init.ids.dynamicIds;
    this.idTag = init.ids.tag;
    this.injectionLines = init.injectionLines;
    this.runClock = init.runClock;
    this.cseq = init.baseCseq;
    this.vars = init.varCount === 0 ? NO_VARS : filled<VarValue>(init.varCount, undefined);
    this.rtdStartMs = init.rtdCount === 0 ? NO_RTDS : filled(init.rtdCount, Number.NaN);
    this.retransTimer = newTimer(this, TimerKind.Retrans);
    this.stepTimer = newTimer(this, TimerKind.Step);
  }

  clockTick(): number {
    return this.runClock();
  }

  nextDynamicId(): number {
    return this.dynamicIds.next();
  }

  private readonly media: CallPorts | undefined;

  /** [rtpstream_audio_port], [auto_media_port]: `base` is -mp (with the keyword's offset). */
  autoMediaPort(base: number): number {
    return this.media?.autoPort?.(this, base) ?? formulaPort(base, this.number);
  }

  tdmCircuit(): string {
    return this.circuitName;
  }

  field(file: number, field: number, line: number): string {
    return this.injection.field(file, line >= 0 ? line : (this.injectionLines[file] ?? 0), field);
  }

  get serverIp(): string {
    return this.endpoint.localAddress;
  }

  /** [cryptokeyparams…] keys sent by this call, by keyword; made at the first. */
  private cryptoKeys: string[] | undefined = undefined;

  cryptoKey(which: number, reuse: boolean): string {
    const keys = (this.cryptoKeys ??= []);
    const last = keys[which];
    if (reuse && last !== undefined) return last;
    const key = newCryptoKey();
    keys[which] = key;
    return key;
  }

  private authNonce = '';
  private authNc = 0;

  nonceCount(nonce: string): number {
    if (nonce !== this.authNonce) {
      this.authNonce = nonce;
      this.authNc = 0;
    }
    return ++this.authNc;
  }

  get localPort(): number {
    return this.endpoint.localPort;
  }

  get localIpEscaped(): string {
    const a = this.endpoint.localAddress;
    return a.includes(':') ? `[${a}]` : a;
  }

  /** SIPp compat: [remote_ip] is the escaped form, IPv6 in brackets. */
  get remoteIpEscaped(): string {
    return this.remoteAddress.includes(':') ? `[${this.remoteAddress}]` : this.remoteAddress;
  }
}
