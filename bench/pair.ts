/**
 * One macro benchmark run: a UAC (SIPp or sipts) places calls at a fixed rate on a UAS (SIPp or sipts)
 * over loopback UDP, both with the built-in scenarios and the same options. CPU is read from the OS for
 * both processes over a window of steady load, and divided by the calls the UAC's stat file says it
 * created in that window: start-up and the JIT's warm-up are not per call, and are reported apart.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cpuUs, peakRssKb, spawnTool, startUas, uacArgs, type Tool } from './peers.js';
import { achievedRate, createdAt, readStatRows } from './stat-rows.js';

export interface PairOptions {
  readonly uac: Tool;
  readonly uas: Tool;
  readonly rate: number;
  /** How long the UAC places calls: -m is rate × seconds. */
  readonly seconds: number;
  /** The CPU window, in seconds after the UAC started; none when undefined. */
  readonly window?: readonly [number, number];
  /** Extra options of the UAC (e.g. -d to hold calls open). */
  readonly uacExtra?: readonly string[];
  /** Extra options of the UAS (e.g. -workers 2). */
  readonly uasExtra?: readonly string[];
  /** Read peak memory this many seconds after the UAC started, then stop both (calls held open). */
  readonly holdAt?: number;
  /** Options given to both sides (e.g. -buff_size). */
  readonly extra?: readonly string[];
  /** Give up on the UAC this long after its last call was due. */
  readonly graceSeconds?: number;
  /**
   * UAC processes placing the calls together (default 1), each at rate / n with its share of the calls (as
   * SIPp's users split a load by hand): CPU is summed over them, calls counted from all their stat files.
   */
  readonly uacProcesses?: number;
}

export interface PairResult {
  readonly uac: Tool;
  readonly uas: Tool;
  readonly rate: number;
  readonly calls: number;
  /** CPU µs per call over the window (NaN without one). */
  readonly uacUsPerCall: number;
  readonly uasUsPerCall: number;
  readonly successful: number;
  readonly failed: number;
  readonly uasFailed: number;
  /** Calls per second while placing calls, from the UAC's stat file. */
  readonly achievedRate: number;
  readonly uacPeakRssKb: number;
  readonly uasPeakRssKb: number;
  /** Every call succeeded on both sides at the rate asked for (1% slack). */
  readonly clean: boolean;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function runPair(o: PairOptions): Promise<PairResult> {
  const dir = mkdtempSync(join(tmpdir(), 'sipts-bench-'));
  const calls = Math.round(o.rate * o.seconds);
  const uas = await startUas(o.uas, dir, [...(o.extra ?? []), '-trace_stat', '-stf', 'uas.csv', '-fd', '1', ...(o.uasExtra ?? [])]);
  const started = Date.now();
  const n = o.uacProcesses ?? 1;
  // Shares that add up exactly: the first (calls mod n) processes place one call more.
  const share = (k: number): number => Math.floor(calls / n) + (k < calls % n ? 1 : 0);
  const uacs = Array.from({ length: n }, (_, k) =>
    spawnTool(
      o.uac,
      [
        ...uacArgs(uas.port, o.rate / n, share(k)),
        ...(o.extra ?? []),
        '-trace_stat',
        '-stf',
        `uac${k}.csv`,
        '-fd',
        '1',
        ...(o.uacExtra ?? []),
      ],
      dir,
    ),
  );
  const uacCpu = (): number => uacs.reduce((sum, u) => sum + cpuUs(u.pid), 0);
  const exited = Promise.all(uacs.map((u) => new Promise<void>((r) => u.once('exit', () => r()))));
  const sampleAt = async (s: number): Promise<{ t: number; uac: number; uas: number }> => {
    await sleep(started + s * 1000 - Date.now());
    return { t: Date.now() / 1000, uac: uacCpu(), uas: cpuUs(uas.process.pid) };
  };
  let uacUs = Number.NaN,
    uasUs = Number.NaN,
    from = 0,
    to = 0;
  if (o.window !== undefined) {
    const a = await sampleAt(o.window[0]);
    const b = await sampleAt(o.window[1]);
    uacUs = b.uac - a.uac;
    uasUs = b.uas - a.uas;
    from = a.t;
    to = b.t;
  }
  let uacRss = Number.NaN,
    uasRss = Number.NaN;
  if (o.holdAt !== undefined) {
    await sleep(started + o.holdAt * 1000 - Date.now());
    uacRss = uacs.reduce((sum, u) => sum + peakRssKb(u.pid), 0);
    uasRss = peakRssKb(uas.process.pid);
    for (const u of uacs) u.kill('SIGKILL');
  }
  const giveUp = setTimeout(
    () => {
      for (const u of uacs) u.kill('SIGKILL');
    },
    (o.seconds + (o.graceSeconds ?? 20)) * 1000 - (Date.now() - started),
  );
  await exited;
  clearTimeout(giveUp);
  if (o.holdAt === undefined) {
    uasRss = peakRssKb(uas.process.pid);
    // One more periodic row from the UAS, with its calls' ends.
    await sleep(1500);
  }
  uas.stop();
  const uacRows = uacs.map((_, k) => readStatRows(join(dir, `uac${k}.csv`))),
    uasRows = readStatRows(join(dir, 'uas.csv'));
  rmSync(dir, { recursive: true, force: true });
  const inWindow = uacRows.reduce((sum, rows) => sum + createdAt(rows, to) - createdAt(rows, from), 0);
  const uasLast = uasRows.at(-1);
  const rate = uacRows.reduce((sum, rows, k) => sum + achievedRate(rows, share(k)), 0);
  const successful = uacRows.reduce((sum, rows) => sum + (rows.at(-1)?.successful ?? 0), 0),
    failed = uacRows.reduce((sum, rows) => sum + (rows.at(-1)?.failed ?? 0), 0),
    uasFailed = uasLast?.failed ?? 0;
  return {
    uac: o.uac,
    uas: o.uas,
    rate: o.rate,
    calls,
    uacUsPerCall: uacUs / inWindow,
    uasUsPerCall: uasUs / inWindow,
    successful,
    failed,
    uasFailed,
    achievedRate: rate,
    uacPeakRssKb: uacRss,
    uasPeakRssKb: uasRss,
    clean: successful === calls && failed === 0 && uasFailed === 0 && rate >= o.rate * 0.99,
  };
}
