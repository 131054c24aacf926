/**
 * Issue 18: `npm run bench -- media`. 1,000 concurrent G.711 calls (PCMU, 20 ms packets: 50,000 RTP packets a
 * second) placed by one scenario (our own text, below) that streams a raw µ-law tone with `rtp_stream` for the
 * whole call, run by sipts and by SIPp in turn against one answering peer. Neither is pinned to a core: sipts runs
 * every stream on its one event loop, and pinning its process (V8's compiler threads with it) to one core raised
 * the jitter p99 it measured from 1.7 to 5.9 ms and its send lateness p99 from 4 to 11 ms in a trial run, while
 * the CPU it used is the same. Figures:
 * - CPU per stream-second of the UAC (user + system from /proc, over a window when every call is streaming,
 *   start-up and ramp left out): sipts / SIPp.
 * - Two-way: the peer is `sipts -sn uas -rtp_echo` (4 MiB socket buffers, so the echo itself drops nothing), which
 *   sends every packet back. sipts receives the echoes on each call's port and measures them (loss RFC 3550 A.3,
 *   jitter A.8, its own send lateness): those come from its --json. SIPp 3.6.1's rtp_stream sends from its one
 *   media socket and never reads it (rtpstream.cpp has no receive path): the echoes reach it and the kernel drops
 *   them, so its two-way figure is its sending only.
 * - One-way: the peer is SIPp's uas, whose media socket is bound and never read: both tools only send, which is
 *   the like-for-like CPU comparison.
 *
 *   node dist/bench/run.js media       (through npm run bench -- media)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeG711 } from '../src/media/g711.js';
import { toneSamples } from '../src/media/tone.js';
import { ROOT, freePort, portTaken } from '../test/helpers.js';
import { median } from './measure.js';
import { SIPTS, cpuUs } from './peers.js';

export const STREAMS = 1000;
const RATE = 250; // calls/s: every call is up 4 s after the first
const HOLD_MS = 14_000; // each call streams this long (-d)
const WINDOW_S: readonly [number, number] = [6, 13]; // after the UAC is spawned: every call streaming

export type MediaMode = 'two-way' | 'one-way';

export interface MediaRun {
  readonly tool: 'sipts' | 'sipp';
  readonly mode: MediaMode;
  readonly cpuUsPerStreamSecond: number;
  readonly exitCode: number;
  /** sipts only: its --json's rtp object, and the loss as a percentage of the packets expected. */
  readonly rtp?: Readonly<Record<string, number>>;
  readonly lossPercent?: number;
}

export interface MediaFigure {
  readonly mode: MediaMode;
  readonly siptsUsPerStreamSecond: number;
  readonly sippUsPerStreamSecond: number;
  /** Median over the rounds of sipts's loss (%), jitter p99 and send lateness p99 (ms); two-way only. */
  readonly lossPercent: number;
  readonly jitterP99Ms: number;
  readonly sendLatenessP99Ms: number;
  readonly runs: readonly MediaRun[];
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const start = (command: string, args: readonly string[], cwd: string): ChildProcess => spawn(command, args, { cwd, stdio: 'ignore' });

const exited = (child: ChildProcess): Promise<number> =>
  new Promise((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code ?? -1));
  });

async function startPeer(mode: MediaMode, cwd: string): Promise<{ port: number; child: ChildProcess }> {
  const port = await freePort();
  const mediaPort = await freePort();
  const common = ['-sn', 'uas', '-i', '127.0.0.1', '-p', String(port), '-mp', String(mediaPort), '-nostdin'];
  const child =
    mode === 'two-way'
      ? start(SIPTS, [...common, '-cp', '0', '-rtp_echo', '-rtp_buffsize', String(4 << 20)], cwd)
      : start('sipp', common, cwd);
  for (let i = 0; i < 100 && !(await portTaken(port, false)); i++) await sleep(50);
  return { port, child };
}

async function runOnce(tool: 'sipts' | 'sipp', mode: MediaMode, dir: string): Promise<MediaRun> {
  const peer = await startPeer(mode, dir);
  try {
    const json = join(dir, `${tool}-${mode}.json`);
    // sipts: below the ephemeral ports, since with [rtpstream_audio_port] its call n binds -mp + 4 × (n − 1), up to
    // +3996. SIPp 3.6.1 binds -mp and -mp + 2 only: a free port of its own.
    const mp = tool === 'sipts' ? 20_000 : await freePort();
    const args = ['-sf', 'uac.xml', `127.0.0.1:${peer.port}`, '-i', '127.0.0.1', '-p', '0', '-mp', String(mp)];
    args.push('-l', String(STREAMS), '-m', String(STREAMS), '-r', String(RATE), '-d', String(HOLD_MS), '-nostdin');
    if (tool === 'sipts') args.push('-cp', '0', '--json', json);
    const uac = start(tool === 'sipts' ? SIPTS : 'sipp', args, dir);
    const done = exited(uac);
    await sleep(WINDOW_S[0] * 1000);
    const c0 = cpuUs(uac.pid);
    await sleep((WINDOW_S[1] - WINDOW_S[0]) * 1000);
    const c1 = cpuUs(uac.pid);
    const exitCode = await Promise.race([done, sleep(60_000).then(() => -1)]);
    // A UAC that did not end within a minute of its last call is stopped, so the next run starts clean.
    if (exitCode === -1) uac.kill('SIGKILL');
    const cpuUsPerStreamSecond = (c1 - c0) / (STREAMS * (WINDOW_S[1] - WINDOW_S[0]));
    if (tool === 'sipp') return { tool, mode, cpuUsPerStreamSecond, exitCode };
    const rtp = (JSON.parse(readFileSync(json, 'utf8')) as { rtp?: Record<string, number> }).rtp ?? {};
    const received = rtp['packetsReceived'] ?? 0,
      lost = rtp['packetsLost'] ?? 0;
    return {
      tool,
      mode,
      cpuUsPerStreamSecond,
      exitCode,
      rtp,
      lossPercent: received + lost === 0 ? Number.NaN : (100 * lost) / (received + lost),
    };
  } finally {
    peer.child.kill('SIGKILL');
    await exited(peer.child);
  }
}

/** Both modes, the tools alternating, `rounds` times. */
export async function mediaBench(rounds: number, log: (s: string) => void): Promise<MediaFigure[]> {
  const dir = mkdtempSync(join(tmpdir(), 'sipts-bench-media-'));
  try {
    // 2 s of a 1 kHz tone, µ-law, no header: SIPp 3.6.1 streams a file's bytes as they are.
    writeFileSync(join(dir, 'tone.ulaw'), encodeG711(toneSamples({ durationMs: 2000 }), 'ulaw'));
    // The calling scenario (our own): INVITE offering PCMU, ACK, rtp_stream of the tone for the whole call (-d), BYE.
    copyFileSync(join(ROOT, 'test/fixtures/rtp-stream-uac.xml'), join(dir, 'uac.xml'));
    const runs: MediaRun[] = [];
    for (let round = 1; round <= rounds; round++) {
      for (const mode of ['two-way', 'one-way'] as const) {
        for (const tool of ['sipts', 'sipp'] as const) {
          const r = await runOnce(tool, mode, dir);
          runs.push(r);
          const rtp = r.rtp;
          log(
            `  round ${round} ${mode.padEnd(7)} ${tool.padEnd(5)}: ${r.cpuUsPerStreamSecond.toFixed(1)} µs CPU per stream-second, exit ${r.exitCode}` +
              (rtp === undefined
                ? ''
                : `; RTP sent ${rtp['packetsSent']}, received ${rtp['packetsReceived']}, lost ${rtp['packetsLost']} (${(r.lossPercent ?? Number.NaN).toFixed(3)}%), jitter p99 ${rtp['jitterP99Ms']} ms, send lateness p99 ${rtp['sendLatenessP99Ms']} ms`),
          );
        }
      }
    }
    return (['two-way', 'one-way'] as const).map((mode) => {
      const of = (tool: string): MediaRun[] => runs.filter((r) => r.mode === mode && r.tool === tool);
      const ours = of('sipts');
      return {
        mode,
        siptsUsPerStreamSecond: median(ours.map((r) => r.cpuUsPerStreamSecond)),
        sippUsPerStreamSecond: median(of('sipp').map((r) => r.cpuUsPerStreamSecond)),
        lossPercent: median(ours.map((r) => r.lossPercent ?? Number.NaN)),
        jitterP99Ms: median(ours.map((r) => r.rtp?.['jitterP99Ms'] ?? Number.NaN)),
        sendLatenessP99Ms: median(ours.map((r) => r.rtp?.['sendLatenessP99Ms'] ?? Number.NaN)),
        runs: [...ours, ...of('sipp')],
      };
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
