/** -workers N | auto: how many worker threads a run is split over (src/workers/), checked with the options it meets. */
import { availableParallelism } from 'node:os';

export interface WorkersChoice {
  readonly workers: number;
  readonly problems: readonly string[];
  readonly warnings: readonly string[];
}

/** What the split needs of the rest of the options. */
export interface WorkersContext {
  readonly maxCalls: number;
  readonly users: number;
  readonly limit: number;
}

/**
 * `auto`: every core but one (the main thread reads the keys, merges the statistics and writes the reports),
 * at least 1. A split whose part would get none of -m, -users or -l is narrowed to as many workers as there
 * are calls, users or open calls to share (0 of -m, -users or -l would mean "no end", "rate mode", "no cap").
 */
export function chooseWorkers(value: string | undefined, c: WorkersContext, cores: number = availableParallelism()): WorkersChoice {
  if (value === undefined) return { workers: 1, problems: [], warnings: [] };
  let n: number;
  if (value.trim() === 'auto') n = Math.max(1, cores - 1);
  else if (/^\d+$/.test(value.trim()) && Number(value) >= 1 && Number(value) <= 1024) n = Number(value);
  else
    return {
      workers: 1,
      problems: [
        `-workers ${value}: expected a number of worker threads from 1 to 1024, or auto (the cores but one: ${Math.max(1, cores - 1)} here)`,
      ],
      warnings: [],
    };
  if (n <= 1) return { workers: 1, problems: [], warnings: [] };
  const problems: string[] = [];
  const warnings: string[] = [];
  let workers = n;
  for (const [name, total] of [
    ['-m', c.maxCalls],
    ['-users', c.users],
    ['-l', c.limit],
  ] as const) {
    if (total > 0 && total < workers) {
      warnings.push(`-workers ${n} with ${name} ${total}: ${total} worker${total === 1 ? '' : 's'} (each needs a share of ${name})`);
      workers = total;
    }
  }
  return { workers, problems, warnings };
}
