/**
 * Issue 19: what -workers costs. CPU per call of the whole sipts process (every thread: user + system from
 * /proc) with 1 and 2 workers at the same total rate, as UAC against SIPp's uas (shared nothing: each worker
 * its own socket) and as UAS called by SIPp's uac (the main thread hands datagrams to the workers by Call-ID).
 * A ratio near 1 means splitting costs little; the issue's target for the UAC is within 1.15.
 *
 * The same split done the SIPp way, as its users do by hand: two SIPp uac processes at half the rate each
 * against one SIPp uas, CPU summed, against one SIPp uac at the whole rate. Every tool spends more per call at a
 * lower rate (fewer messages per wake-up), so this says how much of sipts's ratio any split of the rate costs.
 */
import { median } from './measure.js';
import { runPair, type PairResult } from './pair.js';

export interface WorkersFigure {
  readonly role: 'UAC' | 'UAS';
  readonly rate: number;
  /** µs per call, summed over the threads, median of the rounds. */
  readonly oneUsPerCall: number;
  readonly twoUsPerCall: number;
  readonly ratio: number;
  /** Runs where some call failed or the rate was not held. */
  readonly unclean: number;
}

export interface SippSplitFigure {
  readonly rate: number;
  /** µs per call of one SIPp uac at `rate`, and of two at rate / 2 each (summed), median of the rounds. */
  readonly oneUsPerCall: number;
  readonly twoUsPerCall: number;
  readonly ratio: number;
  readonly unclean: number;
}

/** Two SIPp uac processes at half the rate against one at the whole rate, both against SIPp's uas. */
export async function sippSplitCost(rate: number, rounds: number, log: (s: string) => void): Promise<SippSplitFigure> {
  const runs: Record<1 | 2, PairResult[]> = { 1: [], 2: [] };
  for (let round = 1; round <= rounds; round++) {
    for (const n of [1, 2] as const) {
      const r = await runPair({ uac: 'sipp', uas: 'sipp', rate, seconds: 9, window: [3, 8], uacProcesses: n });
      log(
        `  round ${round} SIPp uac × ${n} at ${rate}/s in all: ${r.uacUsPerCall.toFixed(1)} µs/call${r.clean ? '' : ` (not clean: ${r.successful}/${r.calls} ok, ${r.failed}+${r.uasFailed} failed, ${r.achievedRate.toFixed(0)}/s)`}`,
      );
      runs[n].push(r);
    }
  }
  const one = median(runs[1].map((r) => r.uacUsPerCall)),
    two = median(runs[2].map((r) => r.uacUsPerCall));
  return { rate, oneUsPerCall: one, twoUsPerCall: two, ratio: two / one, unclean: [...runs[1], ...runs[2]].filter((r) => !r.clean).length };
}

export async function workersCost(rate: number, rounds: number, log: (s: string) => void): Promise<WorkersFigure[]> {
  const out: WorkersFigure[] = [];
  for (const role of ['UAC', 'UAS'] as const) {
    const runs: Record<1 | 2, PairResult[]> = { 1: [], 2: [] };
    for (let round = 1; round <= rounds; round++) {
      for (const n of [1, 2] as const) {
        const workers = ['-workers', String(n)];
        const r =
          role === 'UAC'
            ? await runPair({ uac: 'sipts', uas: 'sipp', rate, seconds: 9, window: [3, 8], uacExtra: workers })
            : await runPair({ uac: 'sipp', uas: 'sipts', rate, seconds: 9, window: [3, 8], uasExtra: workers });
        const us = role === 'UAC' ? r.uacUsPerCall : r.uasUsPerCall;
        log(
          `  round ${round} ${role} -workers ${n} at ${rate}/s: ${us.toFixed(1)} µs/call${r.clean ? '' : ` (not clean: ${r.successful}/${r.calls} ok, ${r.failed}+${r.uasFailed} failed, ${r.achievedRate.toFixed(0)}/s)`}`,
        );
        runs[n].push(r);
      }
    }
    const us = (rs: PairResult[]): number => median(rs.map((r) => (role === 'UAC' ? r.uacUsPerCall : r.uasUsPerCall)));
    const one = us(runs[1]),
      two = us(runs[2]);
    out.push({
      role,
      rate,
      oneUsPerCall: one,
      twoUsPerCall: two,
      ratio: two / one,
      unclean: [...runs[1], ...runs[2]].filter((r) => !r.clean).length,
    });
  }
  return out;
}
