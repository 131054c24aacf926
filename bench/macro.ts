/**
 * Issue 6: sipts against SIPp on the same machine in the same run. Every figure is measured for both
 * tools with the same command line, the runs alternate between the tools, and results are ratios
 * sipts / SIPp (below 1 is better for CPU and memory, above 1 for the highest rate).
 */
import { median } from './measure.js';
import { runPair, type PairResult } from './pair.js';
import type { Tool } from './peers.js';

/** UAC → UAS. SIPp → SIPp is the reference the ratios divide by. */
export const PAIRS: readonly (readonly [Tool, Tool])[] = [
  ['sipp', 'sipp'],
  ['sipts', 'sipp'],
  ['sipp', 'sipts'],
  ['sipts', 'sipts'],
];
const name = (uac: Tool, uas: Tool): string => `${uac}→${uas}`;

export interface CpuFigure {
  readonly pair: string;
  readonly rate: number;
  readonly uacUsPerCall: number;
  readonly uasUsPerCall: number;
  /** Runs where some call failed or the rate was not held; their CPU figures are still counted. */
  readonly unclean: number;
}

/**
 * The CPU window, in seconds after the UAC starts, and the length of the run around it. Steady state: the
 * built-in uas keeps each call 4 s after its BYE (its timewait, as SIPp's), so before second 4 no call has
 * ended, nothing is freed and no tombstone is made. The window starts 2 s after the first calls end; the
 * tombstones (33 s of -deadcall_wait) still grow through it, for both tools alike.
 */
export const CPU_WINDOW = [6, 14] as const;
const CPU_RUN_SECONDS = CPU_WINDOW[1] + 1;

/** CPU per call at fixed rates: each round runs every pair at every rate, one after the other. */
export async function cpuPerCall(
  pairs: readonly (readonly [Tool, Tool])[],
  rates: readonly number[],
  rounds: number,
  log: (s: string) => void,
  extra: readonly string[] = [],
): Promise<CpuFigure[]> {
  const runs = new Map<string, PairResult[]>();
  for (let round = 1; round <= rounds; round++) {
    for (const rate of rates) {
      for (const [uac, uas] of pairs) {
        const r = await runPair({ uac, uas, rate, seconds: CPU_RUN_SECONDS, window: CPU_WINDOW, extra });
        log(
          `  round ${round} ${name(uac, uas).padEnd(12)} ${String(rate).padStart(5)}/s: UAC ${r.uacUsPerCall.toFixed(1)} µs/call, UAS ${r.uasUsPerCall.toFixed(1)} µs/call${r.clean ? '' : ` (not clean: ${r.successful}/${r.calls} ok, ${r.failed}+${r.uasFailed} failed, ${r.achievedRate.toFixed(0)}/s)`}`,
        );
        const key = `${name(uac, uas)} ${rate}`;
        runs.set(key, [...(runs.get(key) ?? []), r]);
      }
    }
  }
  return [...runs].map(([key, rs]) => ({
    pair: key.split(' ')[0] ?? '',
    rate: rs[0]?.rate ?? 0,
    uacUsPerCall: median(rs.map((r) => r.uacUsPerCall)),
    uasUsPerCall: median(rs.map((r) => r.uasUsPerCall)),
    unclean: rs.filter((r) => !r.clean).length,
  }));
}

export interface MaxRate {
  readonly pair: string;
  /** The highest rate stepped to where every call of a 10-s run succeeded at that rate. */
  readonly rate: number;
  /** The first rate that was not clean, and why. */
  readonly failedAt: number;
  readonly failure: string;
}

/** Steps the rate up by a fixed factor until a 10-s run is not clean. */
export async function maxRate(
  uac: Tool,
  uas: Tool,
  start: number,
  factor: number,
  cap: number,
  extra: readonly string[],
  log: (s: string) => void,
  /** Options of the UAC alone (e.g. -workers 2). */
  uacExtra: readonly string[] = [],
): Promise<MaxRate> {
  let best = 0;
  for (let rate = start; rate <= cap; rate = Math.round(rate * factor)) {
    const r = await runPair({ uac, uas, rate, seconds: 10, graceSeconds: 12, extra, uacExtra });
    const why = r.clean
      ? 'clean'
      : `${r.successful}/${r.calls} ok, ${r.failed} failed (UAC), ${r.uasFailed} failed (UAS), ${r.achievedRate.toFixed(0)}/s placed`;
    log(`  ${name(uac, uas).padEnd(12)} ${[...extra, ...uacExtra].join(' ')} ${String(rate).padStart(6)}/s: ${why}`);
    if (!r.clean) return { pair: name(uac, uas), rate: best, failedAt: rate, failure: why };
    best = rate;
  }
  return { pair: name(uac, uas), rate: best, failedAt: Number.NaN, failure: `none up to ${cap}/s` };
}

export interface MemoryFigure {
  readonly role: 'UAC' | 'UAS';
  readonly tool: Tool;
  readonly openCalls: number;
  readonly peakRssKb: number;
}

/**
 * Peak resident memory with `open` calls held open: the UAC pauses each call (-d) longer than it takes to
 * place them all, so every call is open on both sides when memory is read. sipts → SIPp gives sipts's UAC
 * and SIPp's UAS, SIPp → sipts the other two.
 */
export async function memory(open: number, rate: number, log: (s: string) => void): Promise<MemoryFigure[]> {
  const seconds = open / rate;
  const hold = ['-d', String((seconds + 20) * 1000), '-l', String(open)];
  const out: MemoryFigure[] = [];
  for (const [uac, uas] of [
    ['sipts', 'sipp'],
    ['sipp', 'sipts'],
  ] as const) {
    const r = await runPair({ uac, uas, rate, seconds, uacExtra: hold, holdAt: seconds + 3 });
    log(
      `  ${name(uac, uas).padEnd(12)} ${open} calls open: UAC ${(r.uacPeakRssKb / 1024).toFixed(0)} MiB, UAS ${(r.uasPeakRssKb / 1024).toFixed(0)} MiB (${r.failed + r.uasFailed} failed)`,
    );
    out.push(
      { role: 'UAC', tool: uac, openCalls: open, peakRssKb: r.uacPeakRssKb },
      { role: 'UAS', tool: uas, openCalls: open, peakRssKb: r.uasPeakRssKb },
    );
  }
  return out;
}

export interface Accuracy {
  readonly pair: string;
  readonly target: number;
  readonly achieved: number;
  /** achieved / target − 1. */
  readonly error: number;
}

/** Rate accuracy: calls placed per second over the ~10 s a 12-s run is placing them at full rate. */
export async function accuracy(rate: number, withSipp: boolean, log: (s: string) => void): Promise<Accuracy[]> {
  const out: Accuracy[] = [];
  for (const [uac, uas] of withSipp
    ? ([
        ['sipts', 'sipts'],
        ['sipp', 'sipp'],
      ] as const)
    : ([['sipts', 'sipts']] as const)) {
    const r = await runPair({ uac, uas, rate, seconds: 12 });
    const a = { pair: name(uac, uas), target: rate, achieved: r.achievedRate, error: r.achievedRate / rate - 1 };
    log(`  ${a.pair.padEnd(12)} -r ${rate}: ${a.achieved.toFixed(1)} calls/s (${(100 * a.error).toFixed(2)}%)`);
    out.push(a);
  }
  return out;
}
