/**
 * The composition root of one run: transport, registry, timer wheel, scheduler and stats, driven by one
 * ticker. Exposes control (rate, pause, stop) and snapshots; knows nothing of the command line.
 */
import { performance } from 'node:perf_hooks';
import { Scheduler } from '../load/scheduler.js';
import type { CompiledScenario } from '../scenario/compile.js';
import { Counter, Stats, type HistogramSummary, type StatsSnapshot } from '../stats/stats.js';
import type { Endpoint, Transport, TransportHandler } from '../transport/transport.js';
import { CallState, type CallTimer } from './call.js';
import type { CallHost, CallSettings, EngineHooks } from './host.js';
import { Failure, FAILURE_REASONS } from '../events/outcome.js';
import type { TraceSink } from '../events/trace.js';
import { formatVar } from '../scenario/template.js';
import { InjectionStore } from '../data/injection.js';
import { hangUp, onTimer, receive, receiveCommand, runCall, runInit } from './interpreter.js';
import { exchangeAhead } from './step-search.js';
import { hostPort, TraceTaps } from './trace-taps.js';
import type { CommandChannel, CommandHandler } from '../transport/twin.js';
import { CallRegistry, replayOf } from './registry.js';
import { sideConfig, type EngineConfig } from './config.js';
import { drainMs } from './drain.js';
import { IdSpace } from './id-space.js';
import { Watchdog, type WatchdogEvent } from './watchdog.js';
import { TimerWheel } from './timer-wheel.js';
import { CallFactory, INIT_CALL_ID } from './call-factory.js';
import { Router } from './router.js';
import { TwinCommands } from './twin-commands.js';
import type { EndReason, LoadStatus, RunControl } from './run-control.js';

export type { EngineConfig } from './config.js';

const NO_HOOKS: EngineHooks = { log: () => undefined, exec: () => undefined, stop: () => undefined, trace: {} };

export type { EndReason } from './run-control.js';

/** How the engine reads the time: injectable for tests in virtual time. */
export type Clock = () => number;

export class Engine implements CallHost, TransportHandler, CommandHandler, RunControl {
  readonly stats: Stats;
  readonly wheel: TimerWheel<CallTimer>;
  readonly settings: CallSettings;
  readonly scenario: CompiledScenario;
  readonly scheduler: Scheduler;
  private readonly registry: CallRegistry;
  private transport: Transport | undefined;
  /** 3PCC: the commands calls send their twin, and those it sends. */
  private readonly twin: TwinCommands;
  private ticker: NodeJS.Timeout | undefined;
  private watchdogTimer: NodeJS.Timeout | undefined;
  /** The ticker's interval now (ms); 0 before start. */
  private tickMs = 0;
  /** -timer_resol, at least 1 ms. */
  private readonly resolutionMs: number;
  /** Where calls come from: numbers, users, injection lines, circuits. */
  private readonly factory: CallFactory;
  private readonly runClock = (): number => this.clock() - this.startMs;
  private stopping = false;
  /** After a graceful stop, when the calls still open are hung up (see drainMs). */
  private drainUntil = Number.POSITIVE_INFINITY;
  private endReason: EndReason | undefined;
  private resolveDone: (r: EndReason) => void = () => undefined;
  /** Resolves once the run is over and the transport is closed. */
  readonly done: Promise<EndReason>;
  private readonly startMs: number;
  /** Set when a scenario's <exec int_cmd> stopped the run (SIPp's exit code 97). */
  stoppedByCommand = false;
  readonly hooks: EngineHooks;
  /** The trace methods that are on (undefined: off, nothing is formatted). */
  private readonly taps: TraceTaps;
  /** -oocsf: the engine that runs the out-of-call scenario; undefined without one. */
  private readonly outOfCall: Engine | undefined;
  /** -rxsf: the engine that runs the receive scenario; undefined without one. */
  private readonly receiver: Engine | undefined;
  /** Where received messages go; a main engine's router hands on to its side engines' routers. */
  readonly router: Router;

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
    this.scenario = config.scenario;
    this.settings = config.settings;
    this.resolutionMs = Math.max(1, Math.floor(config.timerResolutionMs));
    this.startMs = clock();
    this.taps = new TraceTaps(this.hooks.trace, config.callIdHost, config.scenario, this.startMs, clock);
    // Before the side engines': the process's first engine names its ids by the pid alone (id-space.ts).
    const ids = new IdSpace(config);
    this.stats = new Stats(config.scenario.steps.length, config.scenario.rtdNames, this.startMs, config.scenario.counterNames,
      { responseTime: config.scenario.responseTimeRepartition, callLength: config.scenario.callLengthRepartition });
    this.wheel = new TimerWheel<CallTimer>(this.startMs, (t) => onTimer(this, t));
    this.registry = new CallRegistry(config.deadcallWaitMs);
    this.scheduler = new Scheduler(config.load, this.startMs);
    this.done = new Promise((r) => { this.resolveDone = r; });
    const taps = this.taps;
    this.factory = new CallFactory(config, ids, random, {
      stats: this.stats, registry: this.registry, scheduler: this.scheduler, now: clock, runClock: this.runClock, keepsHistory: () => taps.failedCall !== undefined,
    });
    // Its <exec int_cmd> stops the whole run, as in SIPp.
    const sideHooks = { ...hooks, stop: (how: 'gracefully' | 'now') => this.hooks.stop(how) };
    this.outOfCall = config.outOfCall === undefined ? undefined
      : new Engine(sideConfig(config, config.outOfCall, new InjectionStore([])), sideHooks, clock, random);
    this.receiver = config.receive === undefined ? undefined
      : new Engine(sideConfig(config, config.receive.scenario, config.receive.injection), sideHooks, clock, random);
    this.router = new Router({
      scenario: this.scenario, settings: this.settings, stats: this.stats, registry: this.registry, scheduler: this.scheduler, factory: this.factory, taps,
      callIdSlashIgnore: config.callIdSlashIgnore === true, accepting: () => !this.stopping && this.endReason === undefined,
      ended: () => this.endReason !== undefined, receive: (call, msg) => receive(this, call, msg),
    }, { outOfCall: this.outOfCall?.router, receiver: this.receiver?.router });
    this.twin = new TwinCommands({
      scenario: this.scenario, stats: this.stats, registry: this.registry, scheduler: this.scheduler, factory: this.factory, taps,
      remote: config.remote, extendedTwin: this.extendedTwin, log: this.hooks.log, transport: () => this.transport,
      accepting: () => !this.stopping && this.endReason === undefined, receiveCommand: (call, cmd) => receiveCommand(this, call, cmd),
      stopGracefully: () => { this.stopGracefully(); },
    });
  }

  /** Looks the trace methods up again: a trace was turned on or off during the run (the control port). */
  retrace(): void {
    this.taps.retrace();
    this.outOfCall?.retrace();
    this.receiver?.retrace();
  }

  get reliable(): boolean {
    return this.transport?.reliable ?? false;
  }

  get traceError(): TraceSink['error'] {
    return this.taps.error;
  }

  get traceRtt(): TraceSink['rtt'] {
    return this.taps.rtt;
  }

  get traceUnexpectedStatus(): TraceSink['unexpectedStatus'] {
    return this.taps.unexpectedStatus;
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

  /** Starts ticking over an opened transport (and 3PCC twin channel). */
  start(transport: Transport, twin?: CommandChannel): void {
    this.transport = transport;
    this.twin.channel = twin;
    this.runInit();
    this.outOfCall?.attach(transport);
    this.receiver?.attach(transport);
    this.armTicker();
    const w = this.config.watchdog;
    if (w !== undefined && w.intervalMs > 0) {
      const dog = new Watchdog(w, this.clock());
      this.watchdogTimer = setInterval(() => this.onWatchdog(dog.check(this.clock())), w.intervalMs);
    }
  }

  /** Trips are counted and traced; too many end the run (SIPp: a fatal error). */
  private onWatchdog(events: readonly WatchdogEvent[]): void {
    for (const e of events) {
      if (e.kind === 'trip') this.stats.count(e.major ? Counter.WatchdogMajor : Counter.WatchdogMinor);
      if (e.kind === 'fail') {
        this.hooks.log('error', e.text);
        this.end('overload');
      } else this.taps.error?.(e.text);
    }
  }

  /** A side engine (-oocsf, -rxsf) shares its main engine's transport and is driven by its ticks. */
  private attach(transport: Transport): void {
    this.transport = transport;
  }

  private tickSide(now: number): void {
    this.wheel.advance(now);
    this.registry.expire(now);
  }

  /** The out-of-call scenario's statistics (-oocsf), apart from the main scenario's. */
  outOfCallSnapshot(): StatsSnapshot | undefined {
    return this.outOfCall?.snapshot();
  }

  /** The receive scenario's statistics (-rxsf), apart from the main scenario's. */
  receiveSnapshot(): StatsSnapshot | undefined {
    return this.receiver?.snapshot();
  }

  get extendedTwin(): boolean {
    return this.config.extendedTwin === true;
  }

  /** Calls start at the rate: not when incoming messages (server mode) or twin commands (3PCC) create them. */
  private get placesCalls(): boolean {
    return !this.scenario.serverMode && !this.scenario.twin.commandCreatesCalls;
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
    if (!this.placesCalls || this.stopping || s.isPaused || s.exhausted) return resolution;
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
    if (this.placesCalls && !this.stopping) {
      const ramp = this.scheduler.stepRamp(now);
      if (ramp === 'quit') this.stopGracefully();
      else if (ramp === 'changed') this.armTicker();
    }
    if (this.placesCalls && !this.stopping) {
      this.startDueCalls(now);
      if (this.scheduler.exhausted && this.tickMs !== this.resolutionMs) this.armTicker();
    }
    this.registry.expire(now);
    this.outOfCall?.tickSide(now);
    this.receiver?.tickSide(now);
    if (now >= this.drainUntil) { this.dropOpenCalls(now); this.receiver?.dropOpenCalls(now); }
    this.checkEnd(now);
  }

  private startDueCalls(now: number): void {
    const remote = this.config.remote;
    const transport = this.transport;
    if (remote === undefined || transport === undefined) return;
    this.factory.startDueCalls(now, transport, remote, (call) => runCall(this, call));
  }

  private checkEnd(now: number): void {
    if (this.endReason !== undefined) return;
    if (this.config.globalTimeoutMs > 0 && now - this.startMs >= this.config.globalTimeoutMs) { this.end('timeout'); return; }
    // The receive scenario's calls are the run's too: it ends when they have ended as well.
    if (this.registry.open > 0 || (this.receiver?.registry.open ?? 0) > 0) return;
    if (this.stopping) this.end('stopped');
    else if (this.scheduler.exhausted) this.end('calls-done');
  }

  // CallHost

  send(call: CallState, raw: string): boolean {
    this.taps.note(call, true, raw);
    if (this.taps.message !== undefined) this.taps.message(true, raw, this.taps.endpointName(call.endpoint), hostPort(call.sendAddress, call.sendPort));
    return call.endpoint.send(raw, call.sendPort, call.sendAddress);
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
    if (steps.length > 0) runInit(this, this.factory.initCall(), steps);
  }

  finish(call: CallState, failure: number): void {
    if (call.callId === INIT_CALL_ID) { call.ended = true; return; } // the <init> call counts nowhere
    if (call.ended) return;
    const now = this.clock();
    this.release(call, now);
    this.stats.recordCallLength(now - call.startMs);
    if (failure < 0) this.stats.count(Counter.SuccessfulCalls);
    else {
      this.stats.count(Counter.FailedCalls);
      this.stats.fail(failure);
      this.taps.failed(call, FAILURE_REASONS[failure] ?? 'Failed', now);
    }
  }

  sendCommand(call: CallState, peer: string, text: string): boolean {
    return this.twin.send(call, peer, text);
  }

  abortTwin(call: CallState): void {
    this.twin.abort(call);
  }

  // CommandHandler: 3PCC (twin-commands.ts)

  onCommand(text: string): void {
    this.twin.onCommand(text);
  }

  onTwinLost(what: string): void {
    this.twin.onTwinLost(what);
  }

  // TransportHandler

  onMessage(raw: string, address: string, port: number, endpoint: Endpoint): void {
    this.router.onMessage(raw, address, port, endpoint);
  }

  onSocketLimit(sockets: number, error: Error): void {
    // The CLI's log hook prints warnings and writes them to the error trace too.
    this.hooks.log('warning', `-t un: no socket for a new call after ${sockets} (${(error as NodeJS.ErrnoException).code ?? error.message}: the file descriptor limit, see ulimit -n); new calls share the main socket`);
  }

  onConnectionLost(endpoint: Endpoint, how: 'connect' | 'closed'): void {
    if (endpoint.openCalls === 0) return;
    const failure = how === 'connect' ? Failure.FailedTcpConnect : Failure.FailedTcpClosed;
    this.taps.error?.(`${how === 'connect' ? 'Cannot open' : 'Lost'} the connection ${this.taps.endpointName(endpoint)}`);
    // A call with only pauses left (the uas's closing timewait) has lost nothing: it ends as it would have.
    for (const call of this.registry.openCalls()) {
      if (call.endpoint === endpoint && exchangeAhead(this.scenario.steps, call.stepIndex)) this.finish(call, failure);
    }
  }

  onSendError(error: Error): void {
    this.stats.count(Counter.SendErrors);
    this.taps.error?.(`Send error: ${error.message}`);
  }

  // Control

  setRate(rate: number): void {
    this.scheduler.setRate(rate, this.clock());
    this.armTicker();
  }

  /** -users now, in a -users run. */
  setUsers(users: number): void {
    this.scheduler.setUsers(users);
  }

  setLimit(limit: number): void {
    this.scheduler.setLimit(limit);
  }

  status(): LoadStatus {
    const s = this.scheduler;
    return { rate: s.currentRate, limit: s.currentLimit, users: s.currentUsers, userMode: s.userMode, paused: s.isPaused };
  }

  trackWindows(): void {
    this.stats.trackWindows();
  }

  takeWindow(): HistogramSummary[] {
    return this.stats.takeWindow();
  }

  /** The control port's `reset stats`: the main scenario's cumulative statistics start again. */
  resetStats(): void {
    this.stats.resetCumulative(this.clock());
  }

  /** SIPp's `dump tasks`: each open call and the step it is at. */
  describeCalls(): string[] {
    return this.registry.openCalls().map((c) => `${c.callId}: State ${c.stepIndex}`);
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
    return this.scenario.varNames.flatMap((name, slot): [string, string][] => (this.scenario.varGlobal[slot] === true ? [[name, formatVar(this.factory.globals[slot])]] : []));
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
    this.factory.release(call);
  }

  /** Ends every open call, counted as aborted; hung up with BYE or CANCEL unless the run timed out. */
  private dropOpenCalls(now: number, hangUpCalls = true): void {
    for (const call of this.registry.openCalls()) {
      if (hangUpCalls) hangUp(this, call);
      this.release(call, now);
      this.stats.count(Counter.AbortedCalls);
      this.taps.failed(call, 'Aborted', now);
    }
  }

  /**
   * A side engine ends with its main one: a call with only its closing pause (timewait) left has done its
   * exchange and ends as it would have; the others are dropped, counted as aborted.
   */
  private endSide(reason: EndReason, hangUpCalls: boolean): void {
    this.endReason = reason;
    for (const call of this.registry.openCalls()) if (!exchangeAhead(this.scenario.steps, call.stepIndex)) this.finish(call, -1);
    this.dropOpenCalls(this.clock(), hangUpCalls);
  }

  private end(reason: EndReason): void {
    if (this.endReason !== undefined) return;
    this.endReason = reason;
    // Out-of-call calls only wait out their timewait: dropped, not hung up; the transport is this engine's.
    const ooc = this.outOfCall;
    if (ooc !== undefined) ooc.endSide(reason, false);
    const rx = this.receiver;
    if (rx !== undefined) rx.endSide(reason, reason === 'aborted');
    this.dropOpenCalls(this.clock(), reason === 'aborted');
    if (this.ticker !== undefined) clearInterval(this.ticker);
    if (this.watchdogTimer !== undefined) clearInterval(this.watchdogTimer);
    const t = this.transport;
    void Promise.all([t?.close(), this.twin.channel?.close()]).then(() => this.resolveDone(reason));
  }
}

