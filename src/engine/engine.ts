/**
 * The composition root of one run: transport, registry, timer wheel, scheduler and stats, driven by one
 * ticker, with its parts: the call factory (where calls come from), the router (where messages go), 3PCC
 * commands, its ids and its traces. It is the interpreter's CallHost, the transport's TransportHandler and the
 * CLI's RunControl; knows nothing of the command line.
 */
import { performance } from 'node:perf_hooks';
import { Scheduler } from '../load/scheduler.js';
import type { CompiledScenario } from '../scenario/compile.js';
import { formatVar } from './var-value.js';
import { Counter, Stats, type HistogramSummary, type StatsSnapshot } from '../stats/stats.js';
import type { HistogramExport } from '../stats/histogram.js';
import { Failure } from '../events/outcome.js';
import { TransportError, type TransportErrorKind } from '../events/transport-error.js';
import { InjectionStore } from '../data/injection.js';
import type { Endpoint, Transport, TransportHandler } from '../transport/transport.js';
import type { CommandChannel, CommandHandler } from '../transport/twin.js';
import type { CallTimer } from './call.js';
import { CallEnds } from './call-end.js';
import { CallFactory } from './call-factory.js';
import { EngineHost } from './call-host.js';
import { sideConfig, type EngineConfig } from './config.js';
import { drainMs } from './drain.js';
import type { EngineHooks, EngineTimers } from './host.js';
import { IdSpace } from './id-space.js';
import { hangUp, onTimer, receive, receiveCommand, runCall, runInit } from './interpreter.js';
import { CallRegistry } from './registry.js';
import { Router } from './router.js';
import type { EndReason, LoadStatus, RunControl, RunExports } from './run-control.js';
import { exchangeAhead } from './step-search.js';
import { Ticker, tickInterval } from './ticker.js';
import { TimerWheel } from './timer-wheel.js';
import { TraceTaps } from './trace-taps.js';
import { TwinCommands } from './twin-commands.js';
import { Watchdog, type WatchdogEvent } from './watchdog.js';

export type { EngineConfig } from './config.js';
export type { EndReason } from './run-control.js';

const NO_HOOKS: EngineHooks = { log: () => undefined, exec: () => undefined, stop: () => undefined, trace: {} };
/** Node's timers: the engine gives back only the handles these gave it, so each is a Timeout. */
const REAL_TIMERS: EngineTimers<NodeJS.Timeout> = {
  setInterval: (fn, ms) => setInterval(fn, ms),
  clearInterval: (h) => {
    clearInterval(h);
  },
};

/** How the engine reads the time: injectable for tests in virtual time. */
export type Clock = () => number;

export class Engine implements TransportHandler, CommandHandler, RunControl {
  readonly stats: Stats;
  private readonly wheel: TimerWheel<CallTimer>;
  private readonly scenario: CompiledScenario;
  private readonly hooks: EngineHooks;
  /** The engine as the interpreter sees it. */
  private readonly host: EngineHost;
  /** How calls end, whoever ends them. */
  private readonly ends: CallEnds;
  /** Resolves once the run is over and the transport is closed. */
  readonly done: Promise<EndReason>;
  /** Set when a scenario's <exec int_cmd> stopped the run (SIPp's exit code 97). */
  stoppedByCommand = false;
  /** Where received messages go; a main engine's router hands on to its side engines' routers. */
  private readonly router: Router;
  private readonly scheduler: Scheduler;
  private readonly registry: CallRegistry;
  private readonly taps: TraceTaps;
  private readonly factory: CallFactory;
  private readonly twin: TwinCommands;
  private readonly ticker: Ticker;
  /** setInterval and clearInterval, or a test's fakes (hooks.timers) that drive the engine in virtual time. */
  private readonly timers: EngineTimers;
  private transport: Transport | undefined;
  private watchdogTimer: unknown;
  private watchdog: Watchdog | undefined;
  /** -timer_resol, at least 1 ms. */
  private readonly resolutionMs: number;
  private readonly startMs: number;
  private stopping = false;
  /** After a graceful stop, when the calls still open are hung up (see drainMs). */
  private drainUntil = Number.POSITIVE_INFINITY;
  private endReason: EndReason | undefined;
  private resolveDone: (r: EndReason) => void = () => undefined;
  /** -oocsf: the engine that runs the out-of-call scenario; undefined without one. */
  private readonly outOfCall: Engine | undefined;
  /** -rxsf: the engine that runs the receive scenario; undefined without one. */
  private readonly receiver: Engine | undefined;

  constructor(
    private readonly config: EngineConfig,
    hooks: Partial<EngineHooks> = {},
    private readonly clock: Clock = () => performance.now(),
    random: () => number = Math.random,
  ) {
    this.hooks = {
      log: hooks.log ?? NO_HOOKS.log,
      exec: hooks.exec ?? NO_HOOKS.exec,
      stop: (how) => {
        this.stoppedByCommand = true;
        (hooks.stop ?? NO_HOOKS.stop)(how);
        if (how === 'now') this.stopNow();
        else this.stopGracefully();
      },
      trace: hooks.trace ?? NO_HOOKS.trace,
      ...(hooks.media === undefined ? {} : { media: hooks.media }),
    };
    this.timers = hooks.timers ?? REAL_TIMERS;
    this.ticker = new Ticker(() => {
      this.tick();
    }, this.timers);
    const scenario = (this.scenario = config.scenario);
    const settings = config.settings;
    this.resolutionMs = Math.max(1, Math.floor(config.timerResolutionMs));
    const startMs = (this.startMs = clock());
    // Before the side engines': the process's first engine names its ids by the pid alone (id-space.ts).
    const ids = new IdSpace({ ...config, share: config.load.share });
    const taps = (this.taps = new TraceTaps(this.hooks.trace, config.callIdHost, scenario, startMs, clock));
    const stats = (this.stats = new Stats(scenario.steps.length, scenario.rtdNames, startMs, scenario.counterNames, {
      responseTime: scenario.responseTimeRepartition,
      callLength: scenario.callLengthRepartition,
    }));
    this.wheel = new TimerWheel<CallTimer>(startMs, (t) => onTimer(this.host, t));
    const registry = (this.registry = new CallRegistry(config.deadcallWaitMs));
    const scheduler = (this.scheduler = new Scheduler(config.load, startMs));
    this.done = new Promise((r) => {
      this.resolveDone = r;
    });
    const factory = (this.factory = new CallFactory(config, ids, random, {
      stats,
      registry,
      scheduler,
      now: clock,
      runClock: () => clock() - startMs,
      keepsHistory: () => taps.failedCall !== undefined,
      media: hooks.media,
    }));
    // Its <exec int_cmd> stops the whole run, as in SIPp.
    const sideHooks = { ...hooks, stop: (how: 'gracefully' | 'now') => this.hooks.stop(how) };
    this.outOfCall =
      config.outOfCall === undefined
        ? undefined
        : new Engine(sideConfig(config, config.outOfCall, new InjectionStore([])), sideHooks, clock, random);
    this.receiver =
      config.receive === undefined
        ? undefined
        : new Engine(sideConfig(config, config.receive.scenario, config.receive.injection), sideHooks, clock, random);
    const accepting = (): boolean => !this.stopping && this.endReason === undefined;
    this.router = new Router(
      {
        scenario,
        settings,
        stats,
        registry,
        scheduler,
        factory,
        taps,
        callIdSlashIgnore: config.callIdSlashIgnore === true,
        accepting,
        ended: () => this.endReason !== undefined,
        receive: (call, msg) => receive(this.host, call, msg),
      },
      { outOfCall: this.outOfCall?.router, receiver: this.receiver?.router },
    );
    this.twin = new TwinCommands({
      scenario,
      stats,
      registry,
      scheduler,
      factory,
      taps,
      remote: config.remote,
      extendedTwin: this.extendedTwin,
      log: this.hooks.log,
      transport: () => this.transport,
      accepting,
      receiveCommand: (call, cmd) => receiveCommand(this.host, call, cmd),
      stopGracefully: () => {
        this.stopGracefully();
      },
    });
    this.ends = new CallEnds({
      scenario,
      wheel: this.wheel,
      registry,
      stats,
      factory,
      taps,
      clock,
      transport: () => this.transport,
      hangUp: (call) => {
        hangUp(this.host, call);
      },
      media: this.hooks.media,
    });
    this.host = new EngineHost({
      hooks: this.hooks,
      scenario,
      stats,
      wheel: this.wheel,
      settings,
      random,
      extendedTwin: this.extendedTwin,
      taps,
      twin: this.twin,
      clock,
      transport: () => this.transport,
      finish: (call, failure) => {
        this.ends.finish(call, failure);
      },
    });
  }

  /** Looks the trace methods up again: a trace was turned on or off during the run (the control port). */
  retrace(): void {
    this.taps.retrace();
    this.outOfCall?.retrace();
    this.receiver?.retrace();
  }

  private get extendedTwin(): boolean {
    return this.config.extendedTwin === true;
  }

  get openCalls(): number {
    return this.registry.open;
  }

  /** Ended calls whose Call-ID is still remembered (-deadcall_wait). */
  get deadCalls(): number {
    return this.registry.dead;
  }

  /** The handler to give the transport when opening it. */
  get handler(): TransportHandler {
    return this;
  }

  /** How often the engine wakes now (ms). */
  get tickIntervalMs(): number {
    return this.ticker.intervalMs;
  }

  /** Starts ticking over an opened transport (and 3PCC twin channel). */
  start(transport: Transport, twin?: CommandChannel): void {
    this.transport = transport;
    this.twin.channel = twin;
    // SIPp's <init>: its steps run once, before the first call; what they leave in <Global> variables is what calls start with.
    const init = this.scenario.initSteps;
    if (init.length > 0) runInit(this.host, this.factory.initCall(), init);
    // A side engine (-oocsf, -rxsf) shares its main engine's transport and is driven by its ticks.
    if (this.outOfCall !== undefined) this.outOfCall.transport = transport;
    if (this.receiver !== undefined) this.receiver.transport = transport;
    this.armTicker();
    const w = this.config.watchdog;
    if (w !== undefined && w.intervalMs > 0) {
      const dog = (this.watchdog = new Watchdog(w, this.clock()));
      this.watchdogTimer = this.timers.setInterval(() => {
        this.onWatchdog(dog.check(this.clock()));
      }, w.intervalMs);
    }
  }

  /** Trips are counted and traced; too many end the run (SIPp: a fatal error), and then it says true. */
  private onWatchdog(events: readonly WatchdogEvent[]): boolean {
    let failed = false;
    for (const e of events) {
      if (e.kind === 'trip') this.stats.count(e.major ? Counter.WatchdogMajor : Counter.WatchdogMinor);
      if (e.kind === 'fail') {
        this.hooks.log('error', e.text);
        this.end('overload');
        failed = true;
      } else this.taps.error?.(e.text);
    }
    return failed;
  }

  /** Calls start at the rate: not when incoming messages (server mode) or twin commands (3PCC) create them. */
  private get placesCalls(): boolean {
    return !this.scenario.serverMode && !this.scenario.twin.commandCreatesCalls;
  }

  private armTicker(): void {
    if (this.transport === undefined || this.endReason !== undefined) return;
    const s = this.scheduler;
    this.ticker.arm(
      tickInterval({
        resolutionMs: this.resolutionMs,
        placing: this.placesCalls && !this.stopping && !s.isPaused && !s.exhausted,
        userMode: this.config.load.users > 0,
        rate: s.currentRate,
        periodMs: this.config.load.periodMs,
      }),
    );
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
    const remote = this.config.remote;
    if (this.placesCalls && !this.stopping) {
      if (remote !== undefined && this.transport !== undefined)
        this.factory.startDueCalls(now, this.transport, remote, (call) => runCall(this.host, call));
      if (this.scheduler.exhausted && this.ticker.intervalMs !== this.resolutionMs) this.armTicker();
    }
    this.registry.expire(now);
    this.outOfCall?.tickSide(now);
    this.receiver?.tickSide(now);
    if (now >= this.drainUntil) {
      this.ends.dropOpen(now);
      this.receiver?.ends.dropOpen(now);
    }
    this.checkEnd(now);
  }

  private tickSide(now: number): void {
    this.wheel.advance(now);
    this.registry.expire(now);
  }

  private checkEnd(now: number): void {
    if (this.endReason !== undefined) return;
    if (this.config.globalTimeoutMs > 0 && now - this.startMs >= this.config.globalTimeoutMs) {
      this.end('timeout');
      return;
    }
    // The receive scenario's calls are the run's too: it ends when they have ended as well.
    if (this.registry.open > 0 || (this.receiver?.registry.open ?? 0) > 0) return;
    if (this.stopping) this.end('stopped');
    else if (this.scheduler.exhausted) this.end('calls-done');
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
    this.stats.transportError(TransportError.limit);
    // The CLI's log hook prints warnings and writes them to the error trace too.
    this.hooks.log(
      'warning',
      `-t un: no socket for a new call after ${sockets} (${(error as NodeJS.ErrnoException).code ?? error.message}: the file descriptor limit, see ulimit -n); new calls share the main socket`,
    );
  }

  onConnectionLost(endpoint: Endpoint, how: 'connect' | 'closed'): void {
    if (endpoint.openCalls === 0) return;
    const failure = how === 'connect' ? Failure.FailedTcpConnect : Failure.FailedTcpClosed;
    this.taps.error?.(`${how === 'connect' ? 'Cannot open' : 'Lost'} the connection ${this.taps.endpointName(endpoint)}`);
    // A call with only pauses left (the uas's closing timewait) has lost nothing: it ends as it would have.
    for (const call of this.registry.openCalls()) {
      if (call.endpoint === endpoint && exchangeAhead(this.scenario.steps, call.stepIndex)) this.ends.finish(call, failure);
    }
  }

  onTransportError(kind: TransportErrorKind, error: Error): void {
    this.stats.transportError(TransportError[kind]);
    this.taps.error?.(`Transport error (${kind}): ${error.message}`);
  }

  // RunControl

  status(): LoadStatus {
    const s = this.scheduler;
    return { rate: s.currentRate, limit: s.currentLimit, users: s.currentUsers, userMode: s.userMode, paused: s.isPaused };
  }

  setRate(rate: number): void {
    this.scheduler.setRate(rate, this.clock());
    this.armTicker();
  }

  setUsers(users: number): void {
    this.scheduler.setUsers(users);
  }

  setLimit(limit: number): void {
    this.scheduler.setLimit(limit);
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
    const wait = drainMs(this.scenario, this.config.settings);
    if (this.stopping) return wait;
    this.stopping = true;
    this.drainUntil = this.clock() + wait;
    this.armTicker();
    return wait;
  }

  stopNow(): void {
    this.end('aborted');
  }

  resetStats(): void {
    this.stats.resetCumulative(this.clock());
  }

  describeCalls(): string[] {
    return this.registry.openCalls().map((c) => `${c.callId}: State ${c.stepIndex}`);
  }

  globalValues(): [string, string][] {
    const globals = this.factory.globals;
    return this.scenario.varNames.flatMap((name, slot): [string, string][] =>
      this.scenario.varGlobal[slot] === true ? [[name, formatVar(globals[slot])]] : [],
    );
  }

  behindScheduleMs(): number {
    if (!this.placesCalls || this.stopping || this.endReason !== undefined) return 0;
    return this.scheduler.takeBehindMs(this.clock());
  }

  snapshot(): StatsSnapshot {
    const s = this.stats.snapshot(this.clock());
    return this.hooks.media === undefined ? s : { ...s, rtp: this.hooks.media.totals() };
  }

  outOfCallSnapshot(): StatsSnapshot | undefined {
    return this.outOfCall?.snapshot();
  }

  receiveSnapshot(): StatsSnapshot | undefined {
    return this.receiver?.snapshot();
  }

  trackWindows(): void {
    this.stats.trackWindows();
  }

  takeWindow(): HistogramSummary[] {
    return this.stats.takeWindow();
  }

  statsExports(): RunExports {
    const now = this.clock();
    return {
      main: this.stats.export(now),
      outOfCall: this.outOfCall?.stats.export(now),
      receive: this.receiver?.stats.export(now),
      rtp: this.hooks.media?.export?.(),
    };
  }

  takeWindowExport(): HistogramExport[] {
    return this.stats.takeWindowExport();
  }

  /** A side engine ends with its main one (call-end.ts). */
  private endSide(reason: EndReason, hangUpCalls: boolean): void {
    this.endReason = reason;
    this.ends.endSide(hangUpCalls);
  }

  private end(reason: EndReason): void {
    if (this.endReason !== undefined) return;
    // A stall the watchdog has not looked at yet is still a trip: after a long stall the call that stalled can
    // end the run (its pause due by then) before the watchdog's timer runs. Too many trips: an overload.
    const dog = this.watchdog;
    this.watchdog = undefined;
    if (dog !== undefined && this.onWatchdog(dog.check(this.clock()))) return;
    this.endReason = reason;
    // Out-of-call calls only wait out their timewait: dropped, not hung up; the transport is this engine's.
    this.outOfCall?.endSide(reason, false);
    this.receiver?.endSide(reason, reason === 'aborted');
    this.ends.dropOpen(this.clock(), reason === 'aborted');
    this.ticker.stop();
    if (this.watchdogTimer !== undefined) this.timers.clearInterval(this.watchdogTimer);
    this.hooks.media?.close();
    void Promise.all([this.transport?.close(), this.twin.channel?.close()]).then(() => this.resolveDone(reason));
  }
}
