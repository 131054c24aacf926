/**
 * Exports of run statistics (Stats.export()) add up: two workers' or two machines' exports merge into the
 * export of the whole run, and summarize() turns any export into the StatsSnapshot every report reads. A run's
 * own snapshot() is the same function without the encoding (a unit test holds them equal), so a report of a
 * merged run is made exactly as a report of a single one.
 */
import { STATS_EXPORT_FORMAT, type Moments, type StatsExport, type StatsSnapshot } from './stats.js';
import { mergeHistograms, summarizeExport } from './histogram.js';

/** The figures a report reads, from an export (percentiles, min, mean and max from its histograms). */
export function summarize(e: StatsExport): StatsSnapshot {
  return {
    ...e.counts,
    rtd: e.rtd.map((r) => ({ name: r.name, summary: summarizeExport(r.hist) })),
    callLength: summarizeExport(e.callLength),
  };
}

/**
 * The export of two parts of one run, run side by side (threads, or machines with a share each): counts,
 * sums, histograms and repartitions add; open calls add; the elapsed time is the longer one. Both parts must
 * run the same scenario (same steps, rtds and repartition edges): anything else throws, as a caller's bug.
 * Commutative and associative, so parts merge in any order.
 */
export function mergeExports(a: StatsExport, b: StatsExport): StatsExport {
  if (a.format !== STATS_EXPORT_FORMAT || b.format !== STATS_EXPORT_FORMAT) {
    throw new Error(`stats export format ${a.format} / ${b.format}: this sipts reads ${STATS_EXPORT_FORMAT}`);
  }
  const [x, y] = [a.counts, b.counts];
  sameShape('steps', x.steps.length, y.steps.length);
  sameShape('rtds', a.rtd.map((r) => r.name).join(','), b.rtd.map((r) => r.name).join(','));
  sameShape('rtd moments', x.rtdMoments.length, y.rtdMoments.length);
  sameShape('response-time repartitions', x.rtdRepartition.map((r) => r.length).join(','), y.rtdRepartition.map((r) => r.length).join(','));
  sameShape('call-length repartitions', x.callLengthRepartition.length, y.callLengthRepartition.length);
  return {
    format: STATS_EXPORT_FORMAT,
    counts: {
      elapsedMs: Math.max(x.elapsedMs, y.elapsedMs),
      counters: addRecords(x.counters, y.counters),
      failures: addRecords(x.failures, y.failures),
      transportErrors: addRecords(x.transportErrors, y.transportErrors),
      steps: zip(x.steps, y.steps, addRecords),
      openCalls: x.openCalls + y.openCalls,
      unexpected: addRecords(x.unexpected, y.unexpected),
      userCounters: addRecords(x.userCounters, y.userCounters),
      rtdMoments: zip(x.rtdMoments, y.rtdMoments, addMoments),
      callLengthMoments: addMoments(x.callLengthMoments, y.callLengthMoments),
      rtdRepartition: zip(x.rtdRepartition, y.rtdRepartition, addArrays),
      callLengthRepartition: addArrays(x.callLengthRepartition, y.callLengthRepartition),
      // A `reset stats` reaches every part: the parts count the same resets, not a share of them.
      resets: Math.max(x.resets, y.resets),
    },
    rtd: zip(a.rtd, b.rtd, (r, q) => ({ name: r.name, hist: mergeHistograms(r.hist, q.hist) })),
    callLength: mergeHistograms(a.callLength, b.callLength),
  };
}

function sameShape(what: string, a: number | string, b: number | string): void {
  if (a !== b) throw new Error(`cannot merge stats exports of different scenarios: ${what} ${a} vs ${b}`);
}

/** Key by key, over the keys of both (a key one side lacks counts 0 there). */
function addRecords<K extends string>(a: Readonly<Record<K, number>>, b: Readonly<Record<K, number>>): Record<K, number> {
  const out: Partial<Record<K, number>> = { ...a };
  for (const k of Object.keys(b) as K[]) out[k] = (out[k] ?? 0) + b[k];
  return out as Record<K, number>;
}

/** Element by element; the lengths were checked (sameShape) before. */
function zip<T, R>(a: readonly T[], b: readonly T[], f: (x: T, y: T) => R): R[] {
  return a.map((x, i) => {
    const y = b[i];
    if (y === undefined) throw new Error(`cannot merge stats exports: ${a.length} vs ${b.length} entries`);
    return f(x, y);
  });
}

const addArrays = (a: readonly number[], b: readonly number[]): number[] => zip(a, b, (x, y) => x + y);

const addMoments = (a: Moments, b: Moments): Moments => ({
  count: a.count + b.count,
  sumMs: a.sumMs + b.sumMs,
  sumSqMs: a.sumSqMs + b.sumSqMs,
});
