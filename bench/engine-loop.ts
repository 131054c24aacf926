/**
 * sipts's own work per call, with no socket and no waiting: the engine of a command line in virtual time against
 * an in-memory peer. Every millisecond of virtual time the engine ticks (the calls due start), the peer's
 * messages are handed to it and its answers to those are taken, until the peer has nothing left to say: the same
 * steps, parse, match, render, digest, timers, statistics and Call-ID map as a real run, at full speed in a hot
 * loop. Left out, besides the socket: the conversions between strings and bytes at it (Buffer.from of what is
 * sent, toString of what is received), which the floor pays too.
 */
import { buildConfig } from '../src/cli/config.js';
import { engineConfig } from '../src/cli/engine-config.js';
import { loadInjection, loadScenario, templateEnv } from '../src/cli/scenario-input.js';
import { Engine } from '../src/engine/engine.js';
import { Counter } from '../src/stats/stats.js';
import type { Endpoint, Transport, TransportHandler } from '../src/transport/transport.js';
import { VirtualTime } from '../test/engine-harness.js';
import { median } from './measure.js';

export const LOOP_HOST = '127.0.0.1';
/** sipts's port in the loop, and its peer's. */
export const LOOP_PORT = 5061;
export const PEER_PORT = 5060;
export const LOOP_PID = 4242;

/** The in-memory peer: what it says to sipts. Messages are pushed on `out`, handed over in the same millisecond. */
export interface LoopPeer {
  /** Its answers to one message sipts sent. */
  answer(raw: string, out: string[]): void;
  /** What it starts at virtual millisecond `ms` by itself (a UAC's INVITEs). */
  tick?(ms: number, out: string[]): void;
}

export interface LoopOptions {
  /** sipts's options as the CLI parses them (`sf`, `sn`, `inf`, `r`, …); `-i` and `-p` are the loop's. */
  readonly options: Readonly<Record<string, string | string[]>>;
  /** sipts places the calls, on its peer at LOOP_HOST:PEER_PORT (the remote it is given); else it answers them. */
  readonly placesCalls: boolean;
  readonly peer: LoopPeer;
  /** Calls started per virtual second: a round is a stall when it has not ended 5 s after its last call was due. */
  readonly rate: number;
  readonly perRound: number;
  readonly rounds: number;
  /** Calls run before the rounds, so that the Call-ID map holds -deadcall_wait's tombstones as in a real run. */
  readonly warmup: number;
}

/** CPU time of this process so far (µs). */
const cpuNowUs = (): number => {
  const u = process.cpuUsage();
  return u.user + u.system;
};

/** ns of CPU (user + system) per successful call, median of the rounds: the engine and its in-memory peer together. */
export function engineLoop(o: LoopOptions): number {
  const time = new VirtualTime();
  const c = buildConfig({ ...o.options, i: LOOP_HOST, p: String(LOOP_PORT) }, o.placesCalls ? [`${LOOP_HOST}:${PEER_PORT}`] : [], LOOP_PID);
  const scenario = loadScenario(c, templateEnv(c, LOOP_PID));
  const remote = o.placesCalls ? { address: LOOP_HOST, port: PEER_PORT } : undefined;
  const config = engineConfig(c, scenario, remote, LOOP_PID, loadInjection(c, scenario));
  const engine = new Engine(config, { timers: time.timers }, time.clock);
  try {
    const handler: TransportHandler = engine.handler;
    const inbox: string[] = [];
    const endpoint: Endpoint = {
      localAddress: LOOP_HOST,
      localPort: LOOP_PORT,
      openCalls: 0,
      send: (raw) => {
        o.peer.answer(raw, inbox);
        return true;
      },
    };
    const transport: Transport = {
      name: 'UDP',
      reliable: false,
      localPort: LOOP_PORT,
      acquire: (ready) => ready(endpoint),
      release: () => undefined,
      close: () => Promise.resolve(),
    };
    engine.start(transport);

    const counters = engine.stats.counters;
    let flattened = 0;
    /** Runs virtual milliseconds until `count` more calls have succeeded; throws if one fails or the run stalls. */
    const run = (count: number): void => {
      const target = (counters[Counter.SuccessfulCalls] ?? 0) + count;
      const limitMs = time.nowMs + (count * 1000) / o.rate + 5000;
      while ((counters[Counter.SuccessfulCalls] ?? 0) < target) {
        if ((counters[Counter.FailedCalls] ?? 0) > 0 || time.nowMs > limitMs)
          throw new Error(`engine loop: ${counters[Counter.FailedCalls] ?? 0} failed, stalled at ${time.nowMs} ms`);
        time.nowMs++;
        time.fireDue();
        o.peer.tick?.(time.nowMs, inbox);
        // Answers to what the engine sends while this runs are appended, and handed over in the same millisecond,
        // flat, as a datagram's toString gives them: reading a character flattens the peer's concatenation here
        // rather than in the parser's first read, where a profile would charge it to sipts.
        for (let k = 0; k < inbox.length; k++) {
          const message = inbox[k] ?? '';
          flattened += message.charCodeAt(0);
          handler.onMessage(message, LOOP_HOST, PEER_PORT, endpoint);
        }
        inbox.length = 0;
      }
    };

    run(o.warmup);
    const ns: number[] = [];
    for (let r = 0; r < o.rounds; r++) {
      const t0 = cpuNowUs();
      run(o.perRound);
      ns.push(((cpuNowUs() - t0) * 1e3) / o.perRound);
    }
    // Never true (a peer that said nothing stalls the run first): it keeps the reads above in use, so that no compiler
    // drops them.
    if (flattened === 0) throw new Error('engine loop: the peer said nothing');
    return median(ns);
  } finally {
    engine.stopNow();
  }
}
