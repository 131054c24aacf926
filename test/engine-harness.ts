/**
 * Engines in virtual time: a fake clock and fake tickers (EngineHooks.timers), a memory network between
 * the engines (src/transport/memory.ts), and engines configured from SIPp-style options through the CLI's
 * own option mapping, so that SIPp's defaults (-timer_resol 10, -deadcall_wait 33 s, -T2 4 s …) hold.
 * Nothing here waits in real time: a test of a 30-second exchange takes milliseconds.
 *
 * Any change of the Engine's construction API is fixed here, in one place.
 */
import { buildConfig, type RawOptions } from '../src/cli/config.js';
import { engineConfig } from '../src/cli/engine-config.js';
import { templateEnv } from '../src/cli/scenario-input.js';
import { Engine, type EngineConfig } from '../src/engine/engine.js';
import type { EngineTimers } from '../src/engine/host.js';
import { readBuiltin } from '../src/scenario/builtin.js';
import { compileScenarioSource } from '../src/scenario/compile.js';
import { Counter, type CounterName, type StatsSnapshot } from '../src/stats/stats.js';
import { MemoryNetwork, type LossRule, type MemoryPacket, type MemoryTransport } from '../src/transport/memory.js';
import type { Endpoint, TransportHandler } from '../src/transport/transport.js';

export const HOST = '127.0.0.1';
const PID = 4242;

interface FakeInterval {
  readonly fn: () => void;
  readonly everyMs: number;
  nextMs: number;
}

/** A clock that moves only when told, and setInterval/clearInterval on it. */
export class VirtualTime {
  nowMs = 0;
  private readonly intervals = new Set<FakeInterval>();
  readonly clock = (): number => this.nowMs;
  readonly timers: EngineTimers = this.ownTimers(new Set());

  /** Timers on this clock that also keep their own handles in `mine` (to tell whether one engine still ticks). */
  ownTimers(mine: Set<unknown>): EngineTimers {
    return {
      setInterval: (fn, ms) => {
        // Node runs a setInterval of less than 1 ms every 1 ms.
        const everyMs = Math.max(1, ms);
        const i: FakeInterval = { fn, everyMs, nextMs: this.nowMs + everyMs };
        this.intervals.add(i);
        mine.add(i);
        return i;
      },
      clearInterval: (h) => {
        this.intervals.delete(h as FakeInterval);
        mine.delete(h);
      },
    };
  }

  /** Intervals armed now. */
  get armed(): number {
    return this.intervals.size;
  }

  /** The earliest time an interval fires; undefined when none is armed. */
  nextFireMs(): number | undefined {
    let next: number | undefined;
    for (const i of this.intervals) if (next === undefined || i.nextMs < next) next = i.nextMs;
    return next;
  }

  /** Fires, once, every interval due at nowMs (in the order they were armed). */
  fireDue(): void {
    const due: FakeInterval[] = [];
    for (const i of this.intervals) if (i.nextMs <= this.nowMs) due.push(i);
    for (const i of due) {
      // One that fired before may have cleared this one.
      if (!this.intervals.has(i)) continue;
      i.nextMs += i.everyMs;
      i.fn();
    }
  }
}

/** SIPp's command line, as the parsed option record: { r: '10', m: '1', sn: 'uac' }. */
export type SippOptions = RawOptions;

export interface EngineSpec {
  /** Where this side listens on the memory network (127.0.0.1:port). */
  readonly port: number;
  /** The remote side's port (client mode). */
  readonly remote?: number;
  /** Scenario XML text (else the options' -sn built-in). */
  readonly scenario?: string;
  /** Stream-like transport (TCP): no loss, no retransmissions. */
  readonly reliable?: boolean;
  /** Changes to the config made from the options. */
  readonly over?: Partial<EngineConfig>;
}

/** A passive side that records what it gets with its arrival time, and may answer through `answer`. */
export class Recorder implements TransportHandler {
  readonly got: { readonly raw: string; readonly atMs: number }[] = [];
  transport: MemoryTransport | undefined;
  constructor(
    private readonly time: VirtualTime,
    private readonly answer?: (raw: string, send: (text: string) => void, from: { address: string; port: number }) => void,
  ) {}
  onMessage(raw: string, address: string, port: number, endpoint: Endpoint): void {
    this.got.push({ raw, atMs: this.time.nowMs });
    this.answer?.(
      raw,
      (text) => {
        endpoint.send(text, port, address);
      },
      { address, port },
    );
  }
  onTransportError(): void {
    /* none in memory */
  }
  onSocketLimit(): void {
    /* none in memory */
  }
  onConnectionLost(): void {
    /* none in memory */
  }
  /** Arrival times of the messages whose start line begins with `start`. */
  timesOf(start: string): number[] {
    return this.got.filter((m) => m.raw.startsWith(start)).map((m) => m.atMs);
  }
  /** Sends `raw` to 127.0.0.1:port from this recorder. */
  send(raw: string, port: number): void {
    this.transport?.endpoint.send(raw, port, HOST);
  }
}

export class Harness {
  readonly time = new VirtualTime();
  readonly net: MemoryNetwork;
  private readonly engines: Engine[] = [];
  /** The tickers each engine has armed (none once its run has ended). */
  private readonly tickers = new Map<Engine, Set<unknown>>();

  constructor(o: { readonly loss?: LossRule; readonly latencyMs?: number } = {}) {
    this.net = new MemoryNetwork({ clock: this.time.clock, loss: o.loss, latencyMs: o.latencyMs ?? 0 });
  }

  /** The engine config `sipts <options> 127.0.0.1:<remote>` would run with (scenario text or -sn built-in). */
  config(options: SippOptions, spec: EngineSpec): EngineConfig {
    const positional = spec.remote === undefined ? [] : [`${HOST}:${spec.remote}`];
    const c = buildConfig({ ...options, p: String(spec.port) }, positional, PID);
    const env = templateEnv(c, PID);
    let source = spec.scenario;
    if (source === undefined) {
      const name = typeof options.sn === 'string' ? options.sn : '';
      source = readBuiltin(name)?.source;
      if (source === undefined) throw new Error(`no scenario: give spec.scenario or options.sn (not ${name})`);
    }
    const scenario = compileScenarioSource('scenario.xml', source, env);
    const remote = spec.remote === undefined ? undefined : { address: HOST, port: spec.remote };
    return { ...engineConfig(c, scenario, remote, PID), ...spec.over };
  }

  /** An engine bound at 127.0.0.1:spec.port on the memory network, started at the current virtual time. */
  engine(options: SippOptions, spec: EngineSpec): Engine {
    const mine = new Set<unknown>();
    const engine = new Engine(this.config(options, spec), { timers: this.time.ownTimers(mine) }, this.time.clock, seeded(1));
    const transport = this.net.bind(HOST, spec.port, engine.handler, spec.reliable === true);
    engine.start(transport);
    this.engines.push(engine);
    this.tickers.set(engine, mine);
    return engine;
  }

  /** `sipp -sn uas` on `port`. */
  uas(port: number, options: SippOptions = {}, spec: Partial<EngineSpec> = {}): Engine {
    return this.engine({ sn: 'uas', ...options }, { port, ...spec });
  }

  /** `sipp -sn uac 127.0.0.1:<remote>` on `port`. */
  uac(port: number, remote: number, options: SippOptions = {}, spec: Partial<EngineSpec> = {}): Engine {
    return this.engine({ sn: 'uac', ...options }, { port, remote, ...spec });
  }

  /** A recorder bound on `port`. */
  recorder(port: number, answer?: ConstructorParameters<typeof Recorder>[1]): Recorder {
    const r = new Recorder(this.time, answer);
    r.transport = this.net.bind(HOST, port, r);
    return r;
  }

  /**
   * Moves virtual time on by `ms`: at every moment something is due (a ticker, a packet past its latency)
   * the clock stops there, the tickers due fire and the network delivers what is due, in that order;
   * then `each` runs (to watch a value at every step).
   */
  advance(ms: number, each?: () => void): void {
    this.runUntil(() => {
      each?.();
      return false;
    }, this.time.nowMs + ms);
  }

  /**
   * Advances event by event until `done()` holds, and returns the virtual time it first held at; throws
   * when it does not hold by `limitMs` (absolute virtual time).
   */
  until(done: () => boolean, limitMs: number): number {
    if (this.runUntil(done, limitMs)) return this.time.nowMs;
    throw new Error(`condition not met by virtual time ${limitMs} ms`);
  }

  private runUntil(done: () => boolean, targetMs: number): boolean {
    this.net.flush();
    if (done()) return true;
    for (;;) {
      const a = this.time.nextFireMs();
      const b = this.net.pending > 0 ? this.net.nextDueMs() : undefined;
      const next = a === undefined ? b : b === undefined ? a : Math.min(a, b);
      if (next === undefined || next > targetMs) break;
      this.time.nowMs = Math.max(this.time.nowMs, next);
      this.time.fireDue();
      if (this.net.pending > 0) this.net.flush();
      if (done()) return true;
    }
    this.time.nowMs = Math.max(this.time.nowMs, targetMs);
    this.net.flush();
    return done();
  }

  /** True while the engine's run goes on (it stops its ticker when the run ends). */
  running(engine: Engine): boolean {
    return (this.tickers.get(engine)?.size ?? 0) > 0;
  }

  /** Aborts every engine still running (t.after). */
  stopAll(): void {
    for (const e of this.engines) e.stopNow();
  }
}

/** The counters of an engine's snapshot. */
export function counters(engine: Engine): StatsSnapshot['counters'] {
  return engine.snapshot().counters;
}

/** One counter, read without a snapshot (cheap enough for a condition looked at after every event). */
export function counter(engine: Engine, name: CounterName): number {
  return engine.stats.counters[Counter[name]] ?? 0;
}

/** Packets on the network whose start line begins with `start`. */
export function packetsOf(net: MemoryNetwork, start: string, list: readonly MemoryPacket[] = net.sent): MemoryPacket[] {
  return list.filter((p) => p.raw.startsWith(start));
}

/** A small deterministic PRNG (mulberry32), so that runs repeat exactly. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
