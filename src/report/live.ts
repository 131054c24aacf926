/**
 * Live statistics while a run goes on. On a TTY: a screen redrawn every -f seconds. Elsewhere (CI, pipes):
 * a progress line on stderr every few seconds, never cursor codes.
 */
import { StepKind, type CompiledScenario } from '../scenario/compile.js';
import type { StatsSnapshot } from '../stats/stats.js';

export interface LiveOutput {
  readonly isTTY: boolean;
  write(text: string): void;
}

export interface LiveSource {
  snapshot(): StatsSnapshot;
  readonly scenario: CompiledScenario;
  readonly currentRate: number;
  readonly ratePeriodMs: number;
}

/** Without a TTY a line every few seconds is enough: logs stay readable on long runs. */
const PROGRESS_MIN_MS = 2000;

export function renderScreen(s: StatsSnapshot, src: LiveSource): string {
  const c = s.counters;
  const secs = s.elapsedMs / 1000;
  const lines: string[] = [];
  lines.push(`------------------------------ Scenario Screen ------------------------------`);
  lines.push(`  Scenario: ${src.scenario.name}    Elapsed: ${secs.toFixed(1)} s`);
  lines.push(`  Call rate: ${src.currentRate} per ${src.ratePeriodMs} ms   Open calls: ${s.openCalls}`);
  lines.push('  Keys: + - * / change the rate, p pauses, q stops gracefully, Q stops now');
  lines.push(`  ${c.CallsCreated} calls created (${secs > 0 ? (c.CallsCreated / secs).toFixed(1) : '0.0'} cps)   ${c.SuccessfulCalls} successful   ${c.FailedCalls} failed   ${c.Retransmissions} retrans`);
  lines.push('');
  lines.push('                                 Messages  Retrans   Timeout   Unexpected-Msg');
  src.scenario.steps.forEach((st, i) => {
    const n = s.steps[i];
    if (n === undefined) return;
    const count = st.kind === StepKind.Recv ? n.recv : n.sent;
    lines.push(`  ${st.title.padEnd(28)} ${String(count).padStart(9)} ${String(n.retrans).padStart(8)} ${String(n.timeouts).padStart(9)} ${String(n.unexpected).padStart(9)}`);
  });
  for (const r of s.rtd) lines.push(`  Response time ${r.name}: p50 ${r.summary.p50Ms} ms  p99 ${r.summary.p99Ms} ms  max ${r.summary.maxMs} ms`);
  return lines.join('\n');
}

export function renderProgress(s: StatsSnapshot, src: LiveSource): string {
  const c = s.counters;
  return `[${(s.elapsedMs / 1000).toFixed(1)}s] ${src.scenario.name}: ${c.CallsCreated} created, ${s.openCalls} open, ${c.SuccessfulCalls} successful, ${c.FailedCalls} failed, ${c.Retransmissions} retrans`;
}

/** Starts the periodic display; returns a function that stops it. */
export function startLive(src: LiveSource, out: LiveOutput, periodMs: number): () => void {
  const every = out.isTTY ? Math.max(100, periodMs) : Math.max(PROGRESS_MIN_MS, periodMs);
  const draw = (): void => {
    const s = src.snapshot();
    if (out.isTTY) out.write(`\x1b[H\x1b[2J${renderScreen(s, src)}\n`);
    else out.write(`${renderProgress(s, src)}\n`);
  };
  const timer = setInterval(draw, every);
  timer.unref();
  return () => clearInterval(timer);
}
