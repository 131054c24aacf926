/**
 * Issue 4, done-when 5: what reporting costs. The same sipts UAC run, alternately without any report and
 * with every report on (stat and counts files every second, rtt trace, screen file, error trace, call
 * debug, JSON, JUnit, HTML with its timeline, Prometheus), CPU per call from the OS. -trace_msg, which
 * writes every message, is a debugging trace and is measured apart.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { measure, median } from './measure.js';
import { SIPTS, sippInstalled, startUas, uacArgs } from './peers.js';

export interface OverheadResult {
  readonly rate: number;
  readonly calls: number;
  readonly rounds: number;
  readonly peer: string;
  /** Median CPU µs per call of each variant. */
  readonly plainUsPerCall: number;
  readonly reportsUsPerCall: number;
  readonly messagesUsPerCall: number;
  readonly reportsRatio: number;
  readonly messagesRatio: number;
}

export async function reportOverhead(rate: number, seconds: number, rounds: number, log: (s: string) => void): Promise<OverheadResult> {
  const dir = mkdtempSync(join(tmpdir(), 'sipts-bench-reports-'));
  const peer = await startUas(sippInstalled() ? 'sipp' : 'sipts', dir);
  const calls = rate * seconds;
  const base = [...uacArgs(peer.port, rate, calls), '-cp', '0', '-nostdin'];
  const reports = [
    '-trace_stat',
    '-fd',
    '1',
    '-trace_counts',
    '-trace_rtt',
    '-trace_screen',
    '-trace_err',
    '-trace_calldebug',
    '--json',
    'r.json',
    '--junit',
    'r.xml',
    '--html',
    'r.html',
    '--prometheus',
    '127.0.0.1:0',
  ];
  const variants = { plain: base, reports: [...base, ...reports], messages: [...base, '-trace_msg'] } as const;
  const cpu: Record<keyof typeof variants, number[]> = { plain: [], reports: [], messages: [] };
  try {
    for (let round = 0; round < rounds; round++) {
      for (const name of Object.keys(variants) as (keyof typeof variants)[]) {
        const m = await measure(SIPTS, variants[name], dir);
        const ok = m.code === 0 && /Successful +│ (\d+)/.exec(m.stdout)?.[1] === String(calls);
        log(
          `  round ${round + 1} ${name.padEnd(8)} ${(m.cpuUs / calls).toFixed(1)} µs/call${ok ? '' : ` (exit ${m.code}: not every call succeeded)`}`,
        );
        if (ok) cpu[name].push(m.cpuUs / calls);
      }
    }
  } finally {
    peer.stop();
  }
  const plain = median(cpu.plain),
    rep = median(cpu.reports),
    msg = median(cpu.messages);
  return {
    rate,
    calls,
    rounds,
    peer: peer.name,
    plainUsPerCall: plain,
    reportsUsPerCall: rep,
    messagesUsPerCall: msg,
    reportsRatio: rep / plain,
    messagesRatio: msg / plain,
  };
}
