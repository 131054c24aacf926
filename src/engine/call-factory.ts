/**
 * Where calls come from: numbers, Call-IDs, -users users (and their <User> variables between calls),
 * injection lines, -tdmmap circuits, and the calls the scheduler says are due. Apart from the engine so that
 * how a call is made is read in one place, whoever asks for it (the ticker, a message, a twin command).
 */
import type { MediaHost } from './media.js';
import type { InjectionStore } from '../data/injection.js';
import type { Scheduler } from '../load/scheduler.js';
import { stripeItem, WHOLE, type Share } from '../load/share.js';
import { CircuitPool, circuitName } from '../load/tdm.js';
import type { VarValue } from './var-value.js';
import { Counter, type Stats } from '../stats/stats.js';
import type { Endpoint, Transport } from '../transport/transport.js';
import { CallState } from './call.js';
import type { EngineConfig } from './config.js';
import type { IdSpace } from './id-space.js';
import type { CallRegistry } from './registry.js';

/** What the factory needs of the engine that owns it. */
export interface FactoryContext {
  readonly stats: Stats;
  readonly registry: CallRegistry;
  readonly scheduler: Scheduler;
  now(): number;
  /** ms since the run started ([clock_tick]). */
  readonly runClock: () => number;
  /** -trace_fail is on: each call keeps what it exchanges, the evidence of its failure. */
  keepsHistory(): boolean;
  /** The run's media, when it has media. */
  readonly media?: MediaHost | undefined;
}

export type Picked = { readonly userId: number; readonly lines: readonly number[] };

export class CallFactory {
  /** <Global> variables, shared by every call. */
  readonly globals: VarValue[];
  private callNumber = 0;
  /** Next SEQUENTIAL line of each injection file. */
  private readonly nextLine: number[];
  /** Line 0 of every injection file (none without -inf), shared by the calls that all use it (pickLines). */
  private readonly firstLines: readonly number[];
  /**
   * -users: the free user ids, first out first (from freeUsersHead). SIPp compat: SIPp 3.6.1 numbers users
   * 1..N, its first calls take N, N-1 … 1, and a user whose call ended queues behind the free ones.
   */
  private readonly freeUsers: number[] = [];
  private freeUsersHead = 0;
  private nextUserId: number;
  private readonly circuits: CircuitPool | undefined;
  /** <User> variables of each -users user between its calls; slots of those variables. */
  private readonly userVars = new Map<number, VarValue[]>();
  private readonly userSlots: readonly number[];
  private readonly injection: InjectionStore;
  /**
   * -workers: this engine's part of the run. Its call numbers, users and SEQUENTIAL lines are its stripe of the
   * run's (k, k+N, k+2N …: share.ts), so no two workers number a call alike, a user (and its USER line) lives in
   * one worker, and the workers together read each SEQUENTIAL line once per pass.
   */
  private readonly share: Share;

  constructor(
    private readonly config: EngineConfig,
    private readonly ids: IdSpace,
    private readonly random: () => number,
    private readonly ctx: FactoryContext,
  ) {
    this.globals = config.scenario.initialGlobals.map((v) => v);
    this.injection = config.injection;
    this.share = config.load.share ?? WHOLE;
    this.nextLine = config.injection.files.map(() => config.load.share?.index ?? 0);
    this.firstLines = config.injection.files.map(() => 0);
    this.circuits = config.tdm === undefined ? undefined : new CircuitPool(config.tdm);
    this.userSlots = config.scenario.varUser.flatMap((isUser, slot) => (isUser ? [slot] : []));
    for (let u = config.load.users; u >= 1; u--) this.freeUsers.push(this.userOf(u));
    this.nextUserId = config.load.users;
  }

  /** The number of the next call, however it starts. */
  nextNumber(): number {
    // The whole run: 1, 2, 3 …; worker k of N: k+1, k+1+N …
    return stripeItem(this.callNumber++, this.share) + 1;
  }

  /** The run's id of this engine's `local`-th user: users 1 … U are striped over the workers as lines are. */
  private userOf(local: number): number {
    return stripeItem(local - 1, this.share) + 1;
  }

  /** Places the calls the scheduler says are due now; each runs (`run`) once its endpoint can send. */
  startDueCalls(
    now: number,
    transport: Transport,
    remote: { readonly address: string; readonly port: number },
    run: (call: CallState) => void,
  ): void {
    const { scheduler, stats } = this.ctx;
    const n = scheduler.due(now, this.ctx.registry.open, this.circuits?.available ?? Number.POSITIVE_INFINITY);
    stats.counters[Counter.CallsRefusedByLimit] = scheduler.refused;
    stats.counters[Counter.CallsNotStarted] = scheduler.notStarted;
    for (let i = 0; i < n; i++) {
      // -tdmmap: the scheduler only starts calls there are free circuits for.
      const circuit = this.circuits?.take() ?? -1;
      const number = this.nextNumber();
      const callId = this.ids.callIdOf(number);
      const ipField = this.config.ipField;
      if (ipField === undefined) {
        transport.acquire((ep) => run(this.startCall(number, callId, this.ids.uniqueCallIds, ep, remote.address, remote.port, circuit)));
        continue;
      }
      // -t ui: the call's injection line is picked first, since it says which address the call sends from.
      const userId = this.takeUser();
      const lines = this.pickLines(userId);
      const ip = this.injection.field(0, lines[0] ?? 0, ipField);
      transport.acquire(
        (ep) => run(this.startCall(number, callId, this.ids.uniqueCallIds, ep, remote.address, remote.port, circuit, { userId, lines })),
        ip,
      );
    }
  }

  /**
   * A new call, registered and counted; its user and injection lines are taken now unless `picked`. `fresh`: no
   * call nor tombstone holds `callId` (CallRegistry.add).
   */
  startCall(
    number: number,
    callId: string,
    fresh: boolean,
    ep: Endpoint,
    address: string,
    port: number,
    circuit = -1,
    picked?: Picked,
  ): CallState {
    const { scenario, tdm } = this.config;
    const userId = picked?.userId ?? this.takeUser();
    const call = new CallState({
      number,
      callId,
      endpoint: ep,
      remoteAddress: address,
      remotePort: port,
      sendTo: this.config.sendTo,
      startMs: this.ctx.now(),
      baseCseq: this.config.baseCseq,
      ids: this.ids,
      rtdCount: scenario.rtdNames.length,
      varCount: scenario.varNames.length,
      globals: this.globals,
      injection: this.injection,
      injectionLines: picked?.lines ?? this.pickLines(userId),
      userId,
      runClock: this.ctx.runClock,
      circuit,
      circuitName: circuit >= 0 && tdm !== undefined ? circuitName(tdm, circuit) : '',
      media: this.ctx.media,
    });
    const saved = this.userSlots.length > 0 ? this.userVars.get(userId) : undefined;
    if (saved !== undefined) for (const slot of this.userSlots) call.vars[slot] = saved[slot];
    if (this.ctx.keepsHistory()) call.history = [];
    this.ctx.registry.add(call, fresh);
    ep.openCalls++;
    this.ctx.stats.count(Counter.CallsCreated);
    this.ctx.stats.openCalls++;
    return call;
  }

  /**
   * SIPp's <init>: its steps run once, before the first call, in a call of their own that sends nothing and
   * counts nowhere. SIPp compat: it takes call number 1 (the first real call is number 2).
   */
  initCall(): CallState {
    const noSocket: Endpoint = { localAddress: '', localPort: 0, openCalls: 0, send: () => false };
    const remote = this.config.remote;
    return new CallState({
      number: this.nextNumber(),
      callId: INIT_CALL_ID,
      endpoint: noSocket,
      remoteAddress: remote?.address ?? '',
      remotePort: remote?.port ?? 0,
      ids: this.ids,
      startMs: this.ctx.now(),
      baseCseq: this.config.baseCseq,
      rtdCount: 0,
      varCount: this.config.scenario.varNames.length,
      globals: this.globals,
      injection: this.injection,
      injectionLines: this.firstLines,
      userId: 0,
      runClock: this.ctx.runClock,
      circuit: -1,
      circuitName: '',
    });
  }

  /** An ended call gives back its user (with its <User> variables) and its circuit. */
  release(call: CallState): void {
    if (call.userId > 0) {
      this.freeUsers.push(call.userId);
      if (this.userSlots.length > 0) this.userVars.set(call.userId, call.vars);
    }
    if (call.circuit >= 0) this.circuits?.give(call.circuit);
  }

  /** The -users user of a new call; 0 without -users (SIPp's [userid] is then 0). */
  private takeUser(): number {
    if (this.config.load.users <= 0) return 0;
    const u = this.freeUsers[this.freeUsersHead];
    if (u === undefined) return this.userOf(++this.nextUserId);
    this.freeUsersHead++;
    // Drop the taken head now and then, so the queue does not grow with the run.
    if (this.freeUsersHead > 1024 && this.freeUsersHead * 2 > this.freeUsers.length) {
      this.freeUsers.splice(0, this.freeUsersHead);
      this.freeUsersHead = 0;
    }
    return u;
  }

  /**
   * The line of each injection file a new call uses: by order, at random, or the line of its -users user (SIPp
   * compat: user k reads line k-1; past the last line sipts wraps, where SIPp stops with an error).
   */
  private pickLines(userId: number): readonly number[] {
    const store = this.injection;
    if (store.files.length === 0) return this.firstLines;
    const lines = store.files.map((f, i) => {
      const count = Math.max(1, store.lineCount(i));
      if (f.order === 'RANDOM') return Math.floor(this.random() * count);
      if (f.order === 'USER') return Math.max(0, userId - 1) % count;
      // -workers: call j of worker k is call k + jN of the run, and reads its line, as one engine would: each
      // line once per pass of the run (RANDOM lines are drawn from the whole file: a stripe would bias the draw).
      const line = (this.nextLine[i] ?? 0) % count;
      this.nextLine[i] = (line + this.share.of) % count;
      return line;
    });
    // The built-ins' one-line -au/-ap file gives every call line 0: one shared array, not one per open call.
    return lines.every((l) => l === 0) ? this.firstLines : lines;
  }
}

/** The Call-ID of the <init> call, which is never registered: finish() tells it by this and counts it nowhere. */
export const INIT_CALL_ID = '///main-init';
