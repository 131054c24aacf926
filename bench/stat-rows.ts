/**
 * Reads the -trace_stat file both tools write (same columns), so every figure of the macro benchmark
 * comes from the tools' own counts and the OS, never from the harness's guess of what a tool did.
 */
import { existsSync } from 'node:fs';
import { csvRows } from '../test/helpers.js';

export interface StatRow {
  /** CurrentTime, epoch seconds. */
  readonly t: number;
  readonly created: number;
  readonly successful: number;
  readonly failed: number;
}

export function readStatRows(file: string): StatRow[] {
  if (!existsSync(file)) return [];
  // CurrentTime is "date<TAB>time<TAB>epoch".
  return csvRows(file)
    .map((r) => ({
      t: Number((r['CurrentTime'] ?? '').split('\t').at(-1)),
      created: Number(r['TotalCallCreated']),
      successful: Number(r['SuccessfulCall(C)']),
      failed: Number(r['FailedCall(C)']),
    }))
    .filter((r) => Number.isFinite(r.t) && Number.isFinite(r.created));
}

/** Calls created by epoch time t, interpolated between the rows around it (calls start at a steady rate). */
export function createdAt(rows: readonly StatRow[], t: number): number {
  for (let i = 1; i < rows.length; i++) {
    const a = rows[i - 1],
      b = rows[i];
    if (a === undefined || b === undefined || b.t < t) continue;
    return b.t === a.t ? b.created : a.created + ((b.created - a.created) * (t - a.t)) / (b.t - a.t);
  }
  return Number.NaN;
}

/**
 * The rate calls were created at while the tool was placing them: from the first periodic row to the last
 * row before the last call, so neither start-up nor the calls' tail counts.
 */
export function achievedRate(rows: readonly StatRow[], total: number): number {
  const placing = rows.filter((r) => r.created > 0 && r.created < total);
  const first = placing[0],
    last = placing.at(-1);
  if (first === undefined || last === undefined || last.t - first.t < 1) return Number.NaN;
  return (last.created - first.created) / (last.t - first.t);
}
