/**
 * sipts's own work per registration, with no socket and no waiting: the engine of
 * `sipts -sf bench/injection-register.xml -inf users.csv -r 1000` in virtual time (bench/engine-loop.ts), against
 * an in-memory registrar that answers each first REGISTER with a digest challenge and each second with a 200.
 *
 * The registrar's own work (string search and concatenation) is inside the figure; `registrarNs` times it alone
 * on flat strings, so it does not include flattening the rendered requests it searches (a real run does that in
 * Buffer.from: sipts's cost, charged to the registrar here).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { engineLoop, LOOP_HOST as HOST, LOOP_PID as PID, LOOP_PORT as LOCAL_PORT } from './engine-loop.js';
import { nsPerOp } from './measure.js';
import { REGISTER_SCENARIO, writeUsers } from './register.js';
import { header, NO_BODY, responseHead } from './sip-text.js';

/** RFC 3261 §8.2.6.2 and §22.4: the registrar's answer to a REGISTER, 401 with a challenge when it has no credentials. */
function answer(request: string, n: number): string {
  const toTag = `;tag=r${n}`;
  return request.includes('\nAuthorization: ')
    ? `${responseHead(request, '200 OK', toTag)}Contact: ${header(request, 'Contact').slice(9)};expires=3600\r\n${NO_BODY}`
    : `${responseHead(request, '401 Unauthorized', toTag)}WWW-Authenticate: Digest realm="${HOST}", nonce="${n.toString(16)}a0b1c2d3e4f5", qop="auth"\r\n${NO_BODY}`;
}

export interface RegisterLoopResult {
  /** ns of CPU (user + system) per registration: the engine and the in-memory registrar together. */
  readonly perRegistrationNs: number;
  /** ns per registration of the registrar's two answers, alone (a hot loop's wall time). */
  readonly registrarNs: number;
}

/**
 * `rounds` rounds of `perRound` registrations after a warm-up of `warmup` (the Call-ID map fills with
 * -deadcall_wait's 33 s of tombstones, 33,000 at 1,000/s, as in a real run); median ns per registration.
 */
export function registerLoop(perRound = 20_000, rounds = 5, warmup = 40_000): RegisterLoopResult {
  const dir = mkdtempSync(join(tmpdir(), 'sipts-regloop-'));
  try {
    const users = join(dir, 'users.csv');
    writeUsers(users, 100_000);
    let answered = 0;
    const perRegistrationNs = engineLoop({
      options: { sf: REGISTER_SCENARIO, inf: [users], r: '1000' },
      placesCalls: true,
      peer: { answer: (raw, out) => out.push(answer(raw, ++answered)) },
      rate: 1000,
      perRound,
      rounds,
      warmup,
    });

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
    return { perRegistrationNs, registrarNs };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
