/**
 * The composition root of one run: transport, registry, timer wheel, scheduler and stats, driven by one
 * ticker. Exposes control (rate, pause, stop) and snapshots; knows nothing of the command line.
 */
import { performance } from 'node:perf_hooks';
import { Scheduler, type SchedulerOptions } from '../load/scheduler.js';
import type { CompiledScenario } from '../scenario/compile.js';
import { detach, type SipMessage } from '../sip/message.js';
import { parseMessage } from '../sip/parser.js';
import { Counter, Stats, StepCounter, type StatsSnapshot } from '../stats/stats.js';
import type { Endpoint, Transport, TransportHandler } from '../transport/transport.js';
import { CallState, type CallTimer } from './call.js';
import type { CallHost, CallSettings, EngineHooks } from './host.js';
import { Failure, FAILURE_REASONS } from './outcome.js';
import type { TraceSink } from './trace.js';
import { formatVar, type VarValue } from '../scenario/template.js';
import type { InjectionStore } from '../data/injection.js';
import { CircuitPool, circuitName, type TdmMap } from '../load/tdm.js';
import { awaitedStep, exchangeAhead, hangUp, onTimer, receive, runCall, runInit } from './interpreter.js';
import { isRetransmissionOf } from './matcher.js';
import { CallRegistry, type DeadReplay } from './registry.js';
import { TimerWheel } from './timer-wheel.js';

export interface EngineConfig {
  readonly scenario: CompiledScenario;
  /** Where calls go (client mode). Server-mode calls answer whoever called. */
  readonly remote: { readonly address: string; readonly port: number } | undefined;
  readonly load: SchedulerOptions;
  readonly settings: CallSettings;
  readonly baseCseq: number;
  /** -deadcall_wait: how long an ended call's Call-ID keeps absorbing messages. */
  readonly deadcallWaitMs: number;
  /** -timeout: 0 for none. */
  readonly globalTimeoutMs: number;
  /** -timer_resol: the longest the engine sleeps between two looks at its timers (ms). */
  readonly timerResolutionMs: number;
  /** Host part of generated Call-IDs. */
  readonly callIdHost: string;
  readonly pid: number;
  /** -inf files, in the order given, with their -infindex indexes. */
  readonly injection: InjectionStore;
  /** -tdmmap: calls need a free circuit. */
  readonly tdm: TdmMap | undefined;
  /** -t ui: the field of the first injection file that holds each call's source address (-ip_field). */
  readonly ipField?: number | undefined;
}

const NO_HOOKS: EngineHooks = { log: () => undefined, exec: () => undefined, stop: () => undefined, trace: {} };

export type EndReason = 'calls-done' | 'timeout' | 'stopped' | 'aborted';

/** How the engine reads the time: injectable for tests in virtual time. */
export type Clock = () => number;

export class Engine implements CallHost, TransportHandler {
  readonly stats: Stats;
  readonly wheel: TimerWheel<CallTimer>;
  readonly settings: CallSettings;
  readonly scenario: CompiledScenario;
  readonly scheduler: Scheduler;
  private readonly registry: CallRegistry;
  private transport: Transport | undefined;
  private ticker: NodeJS.Timeout | undefined;
  /** The ticker's interval now (ms); 0 before start. */
  private tickMs = 0;
  /** -timer_resol, at least 1 ms. */
  private readonly resolutionMs: number;
  private callNumber = 0;
  /** Next SEQUENTIAL line of each injection file. */
  private readonly nextLine: number[];
  /** Line 0 of every injection file (none without -inf), shared by the calls that all use it (pickLines). */
  private readonly firstLines: readonly number[];
  /** -users ids of ended calls, given to the next calls; ids start at 0. */
  private readonly freeUsers: number[] = [];
  private nextUserId = 0;
  private readonly circuits: CircuitPool | undefined;
  /** <User> variables of each -users user between its calls; slots of those variables. */
  private readonly userVars = new Map<number, VarValue[]>();
  private readonly userSlots: readonly number[];
  private readonly runClock = (): number => this.clock() - this.startMs;
  private stopping = false;
  /** After a graceful stop, when the calls still open are hung up (see drainMs). */
  private drainUntil = Number.POSITIVE_INFINITY;
  private endReason: EndReason | undefined;
  private resolveDone: (r: EndReason) => void = () => undefined;
  /** Resolves once the run is over and the transport is closed. */
  readonly done: Promise<EndReason>;
  private readonly startMs: number;
  /** <Global> variables, shared by every call. */
  private readonly globals: VarValue[];
  /** Set when a scenario's <exec int_cmd> stopped the run (SIPp's exit code 97). */
  stoppedByCommand = false;
  readonly hooks: EngineHooks;
  /** The trace methods that are on, looked up once (undefined: off, nothing is formatted). */
  private readonly traceMessage: TraceSink['message'];
  readonly traceError: TraceSink['error'];
  readonly traceRtt: TraceSink['rtt'];
  private readonly traceFailed: TraceSink['failedCall'];

  constructor(private readonly config: EngineConfig, hooks: Partial<EngineHooks> = {}, readonly clock: Clock = () => performance.now(), readonly random: () => number = Math.random) {
    this.hooks = {
      log: hooks.log ?? NO_HOOKS.log,
      exec: hooks.exec ?? NO_HOOKS.exec,
      stop: (how) => {
        this.stoppedByCommand = true;
        (hooks.stop ?? NO_HOOKS.stop)(how);
        if (how === 'now') this.stopNow(); else this.stopGracefully();
      },
      trace: hooks.trace ?? NO_HOOKS.trace,
    };
    this.traceMessage = this.hooks.trace.message?.bind(this.hooks.trace);
    this.traceError = this.hooks.trace.error?.bind(this.hooks.trace);
    this.traceRtt = this.hooks.trace.rtt?.bind(this.hooks.trace);
    this.traceFailed = this.hooks.trace.failedCall?.bind(this.hooks.trace);
    this.globals = config.scenario.initialGlobals.map((v) => v);
    this.nextLine = config.injection.files.map(() => 0);
    this.firstLines = config.injection.files.map(() => 0);
    this.circuits = config.tdm === undefined ? undefined : new CircuitPool(config.tdm);
    this.userSlots = config.scenario.varUser.flatMap((isUser, slot) => (isUser ? [slot] : []));
    this.scenario = config.scenario;
    this.settings = config.settings;
    this.resolutionMs = Math.max(1, Math.floor(config.timerResolutionMs));
    this.startMs = clock();
    this.stats = new Stats(config.scenario.steps.length, config.scenario.rtdNames, this.startMs, config.scenario.counterNames,
      { responseTime: config.scenario.responseTimeRepartition, callLength: config.scenario.callLengthRepartition });
    this.wheel = new TimerWheel<CallTimer>(this.startMs, (t) => onTimer(this, t));
    this.registry = new CallRegistry(config.deadcallWaitMs);
    this.scheduler = new Scheduler(config.load, this.startMs);
    this.done = new Promise((r) => { this.resolveDone = r; });
  }

  get reliable(): boolean {
    return this.transport?.reliable ?? false;
  }

  get openCalls(): number {
    return this.registry.open;
  }

  /** Ended calls whose Call-ID is still remembered (-deadcall_wait). */
  get deadCalls(): number {
    return this.registry.dead;
  }

  now(): number {
    return this.clock();
  }

  /** The handler to give the transport when opening it. */
  get handler(): TransportHandler {
    return this;
  }

  /** Starts ticking over an opened transport. */
  start(transport: Transport): void {
    this.transport = transport;
    this.runInit();
    this.armTicker();
  }

  /** How often the engine wakes now (ms). */
  get tickIntervalMs(): number {
    return this.tickMs;
  }

  /**
   * Every wake-up of the process costs CPU of its own (about 20 µs here, more than the work of a tick), so
   * the engine wakes no more often than it needs: every -timer_resol ms for the timers, and as often as the
   * rate needs to start calls evenly, never more than once a millisecond. Re-armed when the need changes.
   */
  private armTicker(): void {
    if (this.transport === undefined || this.endReason !== undefined) return;
    const every = this.tickInterval();
    if (every === this.tickMs) return;
    if (this.ticker !== undefined) clearInterval(this.ticker);
    this.tickMs = every;
    this.ticker = setInterval(() => this.tick(), every);
  }

  private tickInterval(): number {
    const resolution = this.resolutionMs;
    const s = this.scheduler;
    if (this.scenario.serverMode || this.stopping || s.isPaused || s.exhausted) return resolution;
    // -users starts a call as soon as one ends.
    if (this.config.load.users > 0) return 1;
    const rate = s.currentRate;
    if (rate <= 0) return resolution;
    return Math.min(resolution, Math.max(1, Math.floor(this.config.load.periodMs / rate)));
  }

  /** One turn: timers, new calls, end-of-run check. Public so tests can drive virtual time. */
  tick(): void {
    const now = this.clock();
    this.wheel.advance(now);
    if (!this.scenario.serverMode && !this.stopping) {
      this.startDueCalls(now);
      if (this.scheduler.exhausted && this.tickMs !== this.resolutionMs) this.armTicker();
    }
    this.registry.expire(now);
    if (now >= this.drainUntil) this.dropOpenCalls(now);
    this.checkEnd(now);
  }

  private startDueCalls(now: number): void {
    const remote = this.config.remote;
    const transport = this.transport;
    if (remote === undefined || transport === undefined) return;
    const n = this.scheduler.due(now, this.registry.open, this.circuits?.available ?? Number.POSITIVE_INFINITY);
    this.stats.counters[Counter.CallsRefusedByLimit] = this.scheduler.refused;
    this.stats.counters[Counter.CallsNotStarted] = this.scheduler.notStarted;
    for (let i = 0; i < n; i++) {
      // -tdmmap: the scheduler only starts calls there are free circuits for.
      const circuit = this.circuits?.take() ?? -1;
      const number = ++this.callNumber;
      const callId = `${number}-${this.config.pid}@${this.config.callIdHost}`;
      const ipField = this.config.ipField;
      if (ipField === undefined) {
        transport.acquire((ep) => runCall(this, this.startCall(number, callId, ep, remote.address, remote.port, circuit)));
        continue;
      }
      // -t ui: the call's injection line is picked first, since it says which address the call sends from.
      const userId = this.freeUsers.pop() ?? this.nextUserId++;
      const lines = this.pickLines(userId);
      const ip = this.config.injection.field(0, lines[0] ?? 0, ipField);
      transport.acquire((ep) => runCall(this, this.startCall(number, callId, ep, remote.address, remote.port, circuit, { userId, lines })), ip);
    }
  }

  private startCall(number: number, callId: string, ep: Endpoint, address: string, port: number, circuit = -1,
    picked?: { readonly userId: number; readonly lines: readonly number[] }): CallState {
    const userId = picked?.userId ?? this.freeUsers.pop() ?? this.nextUserId++;
    const call = new CallState({
      number, callId, endpoint: ep, remoteAddress: address, remotePort: port, startMs: this.clock(), baseCseq: this.config.baseCseq,
      rtdCount: this.scenario.rtdNames.length, varCount: this.scenario.varNames.length, globals: this.globals,
      injection: this.config.injection, injectionLines: picked?.lines ?? this.pickLines(userId), userId, runClock: this.runClock,
      circuit, circuitName: circuit >= 0 && this.config.tdm !== undefined ? circuitName(this.config.tdm, circuit) : '',
    });
    const saved = this.userSlots.length > 0 ? this.userVars.get(userId) : undefined;
    if (saved !== undefined) for (const slot of this.userSlots) call.vars[slot] = saved[slot];
    if (this.traceFailed !== undefined) call.history = [];
    this.registry.add(call);
    ep.openCalls++;
    this.stats.count(Counter.CallsCreated);
    this.stats.openCalls++;
    return call;
  }

  /** The line of each injection file a new call uses: by order, at random, or the line of its -users user. */
  private pickLines(userId: number): readonly number[] {
    const store = this.config.injection;
    if (store.files.length === 0) return this.firstLines;
    const lines = store.files.map((f, i) => {
      const count = Math.max(1, store.lineCount(i));
      if (f.order === 'RANDOM') return Math.floor(this.random() * count);
      if (f.order === 'USER') return userId % count;
      const line = this.nextLine[i] ?? 0;
      this.nextLine[i] = (line + 1) % count;
      return line;
    });
    // The built-ins' one-line -au/-ap file gives every call line 0: one shared array, not one per open call.
    return lines.every((l) => l === 0) ? this.firstLines : lines;
  }

  private checkEnd(now: number): void {
    if (this.endReason !== undefined) return;
    if (this.config.globalTimeoutMs > 0 && now - this.startMs >= this.config.globalTimeoutMs) { this.end('timeout'); return; }
    if (this.registry.open > 0) return;
    if (this.stopping) this.end('stopped');
    else if (this.scheduler.exhausted) this.end('calls-done');
  }

  // CallHost

  send(call: CallState, raw: string): boolean {
    if (call.history !== undefined) call.history.push({ atMs: this.clock() - this.startMs, out: true, raw });
    if (this.traceMessage !== undefined) this.traceMessage(true, raw, this.endpointName(call.endpoint), hostPort(call.remoteAddress, call.remotePort));
    return call.endpoint.send(raw, call.remotePort, call.remoteAddress);
  }

  get transportName(): string {
    return this.transport?.name ?? 'UDP';
  }

  closeConnection(call: CallState): void {
    this.reconnect(call, undefined);
  }

  redirect(call: CallState, address: string, port: number): boolean {
    if (!this.reconnect(call, { address, port })) return false;
    call.remoteAddress = address;
    call.remotePort = port;
    return true;
  }

  /** Closes the call's own connection and opens another, to `to` or the run's remote; false when it has none of its own. */
  private reconnect(call: CallState, to: { readonly address: string; readonly port: number } | undefined): boolean {
    const t = this.transport;
    const old = call.endpoint;
    // Over UDP and on shared connections there is nothing of the call's own to close (SIPp drops its reference).
    if (t?.closeOwn === undefined || !t.closeOwn(old)) return false;
    old.openCalls--;
    const ready = (ep: Endpoint): void => {
      if (call.ended) { this.transport?.release(ep); return; }
      call.endpoint = ep;
      ep.openCalls++;
    };
    if (to === undefined || t.acquireTo === undefined) t.acquire(ready); else t.acquireTo(to.address, to.port, ready);
    return true;
  }

  /**
   * SIPp's <init>: its steps run once, before the first call, in a call of their own that sends nothing;
   * what they leave in <Global> variables is what the calls start with.
   */
  private runInit(): void {
    const steps = this.scenario.initSteps;
    if (steps.length === 0) return;
    const noSocket: Endpoint = { localAddress: '', localPort: 0, openCalls: 0, send: () => false };
    // SIPp compat: the init call takes call number 1 (the first real call is number 2), and counts nowhere.
    const call = new CallState({
      number: ++this.callNumber, callId: '///main-init', endpoint: noSocket, remoteAddress: this.config.remote?.address ?? '', remotePort: this.config.remote?.port ?? 0,
      startMs: this.clock(), baseCseq: this.config.baseCseq, rtdCount: 0, varCount: this.scenario.varNames.length, globals: this.globals,
      injection: this.config.injection, injectionLines: this.firstLines, userId: 0, runClock: this.runClock, circuit: -1, circuitName: '',
    });
    runInit(this, call, steps);
  }

  finish(call: CallState, failure: number): void {
    if (call.callId === '///main-init') { call.ended = true; return; } // the <init> call counts nowhere
    if (call.ended) return;
    const now = this.clock();
    this.release(call, now);
    this.stats.recordCallLength(now - call.startMs);
    if (failure < 0) this.stats.count(Counter.SuccessfulCalls);
    else {
      this.stats.count(Counter.FailedCalls);
      this.stats.fail(failure);
      this.giveEvidence(call, FAILURE_REASONS[failure] ?? 'Failed', now);
    }
  }

  /** How the local side is named in traces: the address put in messages when bound to every interface. */
  private endpointName(ep: Endpoint): string {
    const any = ep.localAddress === '0.0.0.0' || ep.localAddress === '::' || ep.localAddress === '';
    return hostPort(any ? this.config.callIdHost.replace(/^\[|\]$/g, '') : ep.localAddress, ep.localPort);
  }

  private giveEvidence(call: CallState, reason: string, now: number): void {
    if (this.traceFailed === undefined) return;
    this.traceFailed({
      callId: call.callId, reason, stepIndex: awaitedStep(this.scenario.steps, Math.min(call.stepIndex, this.scenario.steps.length - 1)), startMs: call.startMs - this.startMs, endMs: now - this.startMs,
      local: this.endpointName(call.endpoint), remote: hostPort(call.remoteAddress, call.remotePort), history: call.history ?? [],
    });
  }

  // TransportHandler

  onMessage(raw: string, address: string, port: number, endpoint: Endpoint): void {
    if (this.traceMessage !== undefined) this.traceMessage(false, raw, this.endpointName(endpoint), hostPort(address, port));
    const parsed = parseMessage(raw);
    if (!parsed.ok) {
      this.stats.count(Counter.BadMessages);
      this.traceError?.(`Discarding a message from ${hostPort(address, port)} that is not SIP (${parsed.reason}): '${raw}'`);
      return;
    }
    const msg = parsed.msg;
    const call = this.registry.get(msg.callId);
    if (call !== undefined) {
      if (call.history !== undefined) call.history.push({ atMs: this.clock() - this.startMs, out: false, raw });
      receive(this, call, msg);
      return;
    }
    if (this.registry.isDead(msg.callId)) {
      this.stats.count(Counter.DeadCallMsgs);
      this.traceError?.(`Dead call ${msg.callId}, received '${raw}'`);
      const replay = this.registry.replayOf(msg.callId);
      if (replay !== undefined && isRetransmissionOf(msg, replay)) {
        if (this.traceMessage !== undefined) this.traceMessage(true, replay.answer, this.endpointName(endpoint), hostPort(replay.address, replay.port));
        endpoint.send(replay.answer, replay.port, replay.address);
        this.stats.step(replay.answerIndex, StepCounter.retrans);
        this.stats.count(Counter.Retransmissions);
      }
      return;
    }
    if (this.acceptsNewCall(msg)) {
      this.scheduler.noteCreated();
      // Detached: the registry keeps the Call-ID for the whole call and its tombstone, not the INVITE.
      const call = this.startCall(++this.callNumber, detach(msg.callId), endpoint, address, port);
      if (call.history !== undefined) call.history.push({ atMs: this.clock() - this.startMs, out: false, raw });
      receive(this, call, msg);
      return;
    }
    this.stats.count(Counter.OutOfCallMsgs);
    this.traceError?.(`Discarding message which can't be mapped to a known call (Call-ID ${msg.callId}): '${raw}'`);
  }

  /** Server mode: an unknown Call-ID carrying the scenario's first request starts a call. */
  private acceptsNewCall(msg: SipMessage): boolean {
    return this.scenario.serverMode && !this.stopping && this.endReason === undefined && !this.scheduler.exhausted
      && msg.status === 0 && (this.scenario.firstRequestRegex?.test(msg.method) ?? msg.method === this.scenario.firstRequest);
  }

  onSocketLimit(sockets: number, error: Error): void {
    // The CLI's log hook prints warnings and writes them to the error trace too.
    this.hooks.log('warning', `-t un: no socket for a new call after ${sockets} (${(error as NodeJS.ErrnoException).code ?? error.message}: the file descriptor limit, see ulimit -n); new calls share the main socket`);
  }

  onConnectionLost(endpoint: Endpoint, how: 'connect' | 'closed'): void {
    if (endpoint.openCalls === 0) return;
    const failure = how === 'connect' ? Failure.FailedTcpConnect : Failure.FailedTcpClosed;
    this.traceError?.(`${how === 'connect' ? 'Cannot open' : 'Lost'} the connection ${this.endpointName(endpoint)}`);
    // A call with only pauses left (the uas's closing timewait) has lost nothing: it ends as it would have.
    for (const call of this.registry.openCalls()) {
      if (call.endpoint === endpoint && exchangeAhead(this.scenario.steps, call.stepIndex)) this.finish(call, failure);
    }
  }

  onSendError(error: Error): void {
    this.stats.count(Counter.SendErrors);
    this.traceError?.(`Send error: ${error.message}`);
  }

  // Control

  setRate(rate: number): void {
    this.scheduler.setRate(rate, this.clock());
    this.armTicker();
  }

  pause(): void {
    this.scheduler.pause();
    this.armTicker();
  }

  resume(): void {
    this.scheduler.resume(this.clock());
    this.armTicker();
  }

  /**
   * Stops creating calls; the run ends when the open calls have ended, or are hung up after the longest
   * a step may wait (drainMs), so a call waiting for a message that never comes cannot hold the run.
   */
  stopGracefully(): number {
    const wait = drainMs(this.scenario, this.settings);
    if (this.stopping) return wait;
    this.stopping = true;
    this.drainUntil = this.clock() + wait;
    this.armTicker();
    return wait;
  }

  /** Ends the run now: open calls are aborted (counted apart from failures). */
  stopNow(): void {
    this.end('aborted');
  }

  /** <Global> variables and their values now, for the variables screen. */
  globalValues(): [string, string][] {
    return this.scenario.varNames.flatMap((name, slot): [string, string][] => (this.scenario.varGlobal[slot] === true ? [[name, formatVar(this.globals[slot])]] : []));
  }

  snapshot(): StatsSnapshot {
    return this.stats.snapshot(this.clock());
  }

  /** Takes an ending call out of every structure that knows it; its Call-ID leaves a tombstone. */
  private release(call: CallState, now: number): void {
    call.ended = true;
    this.wheel.cancel(call.retransTimer);
    this.wheel.cancel(call.stepTimer);
    this.registry.remove(call, now, replayOf(call));
    call.endpoint.openCalls--;
    this.transport?.release(call.endpoint);
    this.stats.openCalls--;
    this.freeUsers.push(call.userId);
    if (this.userSlots.length > 0) this.userVars.set(call.userId, call.vars);
    if (call.circuit >= 0) this.circuits?.give(call.circuit);
  }

  /** Ends every open call, counted as aborted; hung up with BYE or CANCEL unless the run timed out. */
  private dropOpenCalls(now: number, hangUpCalls = true): void {
    for (const call of this.registry.openCalls()) {
      if (hangUpCalls) hangUp(this, call);
      this.release(call, now);
      this.stats.count(Counter.AbortedCalls);
      this.giveEvidence(call, 'Aborted', now);
    }
  }

  private end(reason: EndReason): void {
    if (this.endReason !== undefined) return;
    this.endReason = reason;
    this.dropOpenCalls(this.clock(), reason === 'aborted');
    if (this.ticker !== undefined) clearInterval(this.ticker);
    const t = this.transport;
    void (t === undefined ? Promise.resolve() : t.close()).then(() => this.resolveDone(reason));
  }
}

const hostPort = (address: string, port: number): string => (address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`);

/** An ended call that last answered a request keeps that answer for the request's retransmissions. */
function replayOf(call: CallState): DeadReplay | undefined {
  const answered = call.answered;
  if (answered === undefined || answered.status !== 0 || answered.method === 'ACK' || call.unanswered || call.answeredIndex !== call.lastRecvIndex) return undefined;
  // The key holds no slice of the request (retransKeyOf), so the tombstone does not keep the request alive.
  return {
    status: 0, method: answered.method, cseq: answered.cseq, cseqMethod: answered.cseqMethod, branch: answered.branch,
    answer: call.answer, answerIndex: call.answerIndex, address: call.remoteAddress, port: call.remotePort,
  };
}

/**
 * The longest a call may legitimately wait for a message: the largest step timeout or -recv_timeout, else
 * 64·T1 (RFC 3261 §17.1.1.2 timer B, §17.1.2.2 timer F; T1 the largest retrans, 500 ms by default), when a
 * UDP transaction gives up.
 */
function drainMs(scenario: CompiledScenario, settings: CallSettings): number {
  let longest = settings.recvTimeoutMs;
  let t1 = 0;
  for (const step of scenario.steps) { longest = Math.max(longest, step.timeoutMs); t1 = Math.max(t1, step.retransMs); }
  return longest > 0 ? longest : 64 * (t1 > 0 ? t1 : 500);
}
