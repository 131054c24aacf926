/**
 * sipts's own work per registration, with no socket and no waiting: the engine of
 * `sipts -sf bench/injection-register.xml -inf users.csv -r 1000` in virtual time, against an in-memory registrar
 * that answers each first REGISTER with a digest challenge and each second with a 200. Every millisecond of
 * virtual time the engine ticks (one call starts), the registrar's answers are handed to it, and its answers to
 * those are taken: the same steps, parse, match, render, digest, timers, statistics and Call-ID map as a real run,
 * at full speed in a hot loop. Left out, besides the socket: the conversions between strings and bytes at it
 * (Buffer.from of what is sent, toString of what is received), which the floor pays too.
 *
 * The registrar's own work (string search and concatenation) is inside the figure; `registrarNs` times it alone
 * on flat strings, so it does not include flattening the rendered requests it searches (a real run does that in
 * Buffer.from: sipts's cost, charged to the registrar here).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildConfig } from '../src/cli/config.js';
import { engineConfig } from '../src/cli/engine-config.js';
import { loadInjection, loadScenario, templateEnv } from '../src/cli/scenario-input.js';
import { Engine } from '../src/engine/engine.js';
import { Counter } from '../src/stats/stats.js';
import type { Endpoint, Transport, TransportHandler } from '../src/transport/transport.js';
import { VirtualTime } from '../test/engine-harness.js';
import { median, nsPerOp } from './measure.js';
import { REGISTER_SCENARIO, writeUsers } from './register.js';
import { header, responseHead } from './sip-text.js';

const HOST = '127.0.0.1';
const LOCAL_PORT = 5061;
const REGISTRAR_PORT = 5060;
const PID = 4242;

/** RFC 3261 §8.2.6.2 and §22.4: the registrar's answer to a REGISTER, 401 with a challenge when it has no credentials. */
function answer(request: string, n: number): string {
  const toTag = `;tag=r${n}`;
  return request.includes('\nAuthorization: ')
    ? `${responseHead(request, '200 OK', toTag)}Contact: ${header(request, 'Contact').slice(9)};expires=3600\r\nContent-Length: 0\r\n\r\n`
    : `${responseHead(request, '401 Unauthorized', toTag)}WWW-Authenticate: Digest realm="${HOST}", nonce="${n.toString(16)}a0b1c2d3e4f5", qop="auth"\r\nContent-Length: 0\r\n\r\n`;
}

export interface RegisterLoopResult {
  /** ns of CPU (user + system) per registration: the engine and the in-memory registrar together. */
  readonly perRegistrationNs: number;
  /** ns per registration of the registrar's two answers, alone (a hot loop's wall time). */
  readonly registrarNs: number;
}

/** CPU time of this process so far (µs). */
const cpuNowUs = (): number => {
  const u = process.cpuUsage();
  return u.user + u.system;
};

/**
 * `rounds` rounds of `perRound` registrations after a warm-up of `warmup` (the Call-ID map fills with
 * -deadcall_wait's 33 s of tombstones, 33,000 at 1,000/s, as in a real run); median ns per registration.
 */
export function registerLoop(perRound = 20_000, rounds = 5, warmup = 40_000): RegisterLoopResult {
  const dir = mkdtempSync(join(tmpdir(), 'sipts-regloop-'));
  const time = new VirtualTime();
  let engine: Engine | undefined;
  try {
    const users = join(dir, 'users.csv');
    writeUsers(users, 100_000);
    const c = buildConfig(
      { sf: REGISTER_SCENARIO, inf: [users], r: '1000', i: HOST, p: String(LOCAL_PORT) },
      [`${HOST}:${REGISTRAR_PORT}`],
      PID,
    );
    const scenario = loadScenario(c, templateEnv(c, PID));
    const config = engineConfig(c, scenario, { address: HOST, port: REGISTRAR_PORT }, PID, loadInjection(c, scenario));
    const started = new Engine(config, { timers: time.timers }, time.clock);
    engine = started;
    const handler: TransportHandler = started.handler;
    // What the registrar answered, handed to the engine once the send that caused it has returned.
    const inbox: string[] = [];
    let answered = 0;
    const endpoint: Endpoint = {
      localAddress: HOST,
      localPort: LOCAL_PORT,
      openCalls: 0,
      send: (raw) => {
        inbox.push(answer(raw, ++answered));
        return true;
      },
    };
    const transport: Transport = {
      name: 'UDP',
      reliable: false,
      localPort: LOCAL_PORT,
      acquire: (ready) => ready(endpoint),
      release: () => undefined,
      close: () => Promise.resolve(),
    };
    started.start(transport);

    const counters = started.stats.counters;
    /** Runs virtual milliseconds until `count` more registrations have succeeded; throws if one fails or stalls. */
    const run = (count: number): void => {
      const target = (counters[Counter.SuccessfulCalls] ?? 0) + count;
      // -r 1000: a registration starts every millisecond and ends in the same one; twice that is a stall.
      const limitMs = time.nowMs + 2 * count;
      while ((counters[Counter.SuccessfulCalls] ?? 0) < target) {
        if ((counters[Counter.FailedCalls] ?? 0) > 0 || time.nowMs > limitMs)
          throw new Error(`register loop: ${counters[Counter.FailedCalls] ?? 0} failed, stalled at ${time.nowMs} ms`);
        time.nowMs++;
        time.fireDue();
        // Answers to what the engine sends while this runs are appended, and handed over in the same millisecond.
        for (let k = 0; k < inbox.length; k++) handler.onMessage(inbox[k] ?? '', HOST, REGISTRAR_PORT, endpoint);
        inbox.length = 0;
      }
    };

    run(warmup);
    const ns: number[] = [];
    for (let r = 0; r < rounds; r++) {
      const t0 = cpuNowUs();
      run(perRound);
      ns.push(((cpuNowUs() - t0) * 1e3) / perRound);
    }

    // The registrar alone, on the requests of one registration as sipts renders them (two REGISTERs).
    const first = `REGISTER sip:${HOST} SIP/2.0\r\nVia: SIP/2.0/UDP ${HOST}:${LOCAL_PORT};branch=z9hG4bK-1\r\nFrom: <sip:user0000001@${HOST}>;tag=1\r\nTo: <sip:user0000001@${HOST}>\r\nCall-ID: 1-${PID}@${HOST}\r\nCSeq: 1 REGISTER\r\nContact: <sip:user0000001@${HOST}:${LOCAL_PORT}>\r\nMax-Forwards: 70\r\nExpires: 3600\r\nContent-Length: 0\r\n\r\n`;
    const second = first
      .replace('CSeq: 1', 'CSeq: 2')
      .replace('Max-Forwards', 'Authorization: Digest username="user0000001"\r\nMax-Forwards');
    let sink = 0;
    const registrarNs = nsPerOp(perRound, (k) => {
      sink += answer(first, k).length + answer(second, k).length;
    });
    if (sink === 0) throw new Error('register loop: the registrar answered nothing');
    return { perRegistrationNs: median(ns), registrarNs };
  } finally {
    engine?.stopNow();
    rmSync(dir, { recursive: true, force: true });
  }
}
