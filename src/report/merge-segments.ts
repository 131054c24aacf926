/**
 * `sipts merge`: the --json files of the segments of one run (--segment I/N) → that run, as if one process had
 * run it. Counters add and HDR histograms merge (stats/export.ts), so every figure, percentiles included, is the
 * whole run's exactly; what cannot be merged (the HTML timeline, the saturation watch's signals) is said so.
 * Refused, every problem at once: a file that is not a sipts result, other sipts versions, other scenarios,
 * a segment given twice or missing.
 */
import { mergeExports, summarize } from '../stats/export.js';
import { mergeRtp, type RtpExport } from '../stats/rtp.js';
import { STATS_EXPORT_FORMAT, type StatsExport, type StatsSnapshot } from '../stats/stats.js';
import type { ScenarioOutline } from '../scenario/outline.js';
import { SEGMENT_FORMAT, type SegmentRecord, type SideRecord } from './segment-record.js';
import type { Ladder } from './traces.js';
import { messageOf } from '../thrown.js';
import { isArray } from '../json.js';

/** One --json file, parsed (or not: `json` is whatever JSON.parse gave). */
export interface SegmentFile {
  readonly file: string;
  readonly json: unknown;
}

/** What a merged run's reports need; the CLI adds thresholds and the exit code. */
export interface MergedRun {
  readonly version: string;
  readonly outline: ScenarioOutline;
  readonly stats: StatsExport;
  readonly snapshot: StatsSnapshot;
  readonly sides: readonly { readonly role: SideRecord['role']; readonly outline: ScenarioOutline; readonly snapshot: StatsSnapshot }[];
  /** Segment 0's parameters, with -l and -users the sum of the segments' shares. */
  readonly parameters: Readonly<Record<string, string | number | boolean | undefined>>;
  /** 'calls-done' when every segment ended so; else the first other reason, by segment. */
  readonly endReason: string;
  readonly segments: readonly SegmentSummary[];
  readonly ladders: readonly Ladder[];
  readonly startedAtMs: number;
  readonly endedAtMs: number;
  readonly record: SegmentRecord;
}

/** Per segment, in segment order: what the merged report lists of each. */
export interface SegmentSummary {
  readonly index: number;
  readonly file: string;
  readonly endReason: string;
  readonly exitCode: number;
  readonly saturated: boolean;
  /** The segment's own "saturation" object (its signals are its process's and do not add up), or null. */
  readonly saturation: unknown;
  readonly startedAtMs: number;
  readonly endedAtMs: number;
}

export class MergeRefused extends Error {
  constructor(readonly problems: readonly string[]) {
    super(problems.join('\n'));
    this.name = 'MergeRefused';
  }
}

/** Failed-call ladders kept per failure reason, as a single run keeps (cli/run-reports.ts). */
const LADDERS_PER_REASON = 3;

interface Loaded {
  readonly file: string;
  readonly version: string;
  readonly scenarioName: string;
  readonly record: SegmentRecord;
  readonly parameters: Readonly<Record<string, string | number | boolean | undefined>>;
  readonly endReason: string;
  readonly exitCode: number;
  readonly saturated: boolean;
  readonly saturation: unknown;
  readonly ladders: readonly Ladder[];
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !isArray(v);
/** An array read from JSON, its items still unknown. */
const itemsOf = (v: unknown): readonly unknown[] => (isArray(v) ? v : []);
/** A JSON array of strings. */
export const isStrings = (v: unknown): v is string[] => isArray(v) && v.every((x) => typeof x === 'string');
const isStats = (v: unknown): v is StatsExport => isObject(v) && v['format'] === STATS_EXPORT_FORMAT && isObject(v['counts']);
/** A scenario outline: its steps are what the reports read (a bad histogram is found when it is decoded). */
const isOutline = (v: unknown): v is ScenarioOutline => isObject(v) && isArray(v['steps']) && v['steps'].every(isObject);
const isSide = (v: unknown): v is SideRecord =>
  isObject(v) && (v['role'] === 'outOfCall' || v['role'] === 'receive') && isOutline(v['outline']) && isStats(v['stats']);
/** A segment record of this format, as far as the merge reads it. */
const isSegmentRecord = (v: unknown): v is SegmentRecord =>
  isObject(v) &&
  v['format'] === SEGMENT_FORMAT &&
  typeof v['index'] === 'number' &&
  typeof v['of'] === 'number' &&
  typeof v['scenarioSha256'] === 'string' &&
  typeof v['startedAtMs'] === 'number' &&
  typeof v['endedAtMs'] === 'number' &&
  isOutline(v['outline']) &&
  isStats(v['stats']) &&
  isArray(v['sides']) &&
  v['sides'].every(isSide) &&
  (v['rtp'] === undefined || isObject(v['rtp']));

/** A file's record, or why it is not one. */
function load(f: SegmentFile): Loaded | string {
  const j = f.json;
  if (!isObject(j) || j['tool'] !== 'sipts')
    return `${f.file}: not a sipts result (expected the file a run wrote with --json, with "tool": "sipts")`;
  const seg = j['segment'];
  if (!isObject(seg))
    return `${f.file}: a sipts result without a "segment" record (written by a sipts older than sipts merge): run the segments again with this sipts`;
  if (seg['format'] !== SEGMENT_FORMAT)
    return `${f.file}: segment record format ${String(seg['format'])}; this sipts reads ${SEGMENT_FORMAT}: merge with the sipts version that ran the segments`;
  const scenario = j['scenario'];
  if (!isSegmentRecord(seg) || !isObject(scenario) || typeof j['version'] !== 'string')
    return `${f.file}: its "segment" record is incomplete or damaged: write it again with --json`;
  const ladders: Ladder[] = [];
  for (const l of itemsOf(j['failedCalls'])) {
    if (isObject(l) && typeof l['reason'] === 'string' && typeof l['callId'] === 'string' && isStrings(l['ladder']))
      ladders.push({ reason: l['reason'], callId: l['callId'], text: l['ladder'].join('\n') });
  }
  const sat = j['saturation'];
  return {
    file: f.file,
    version: j['version'],
    scenarioName: String(scenario['name']),
    record: seg,
    parameters: isObject(j['parameters']) ? (j['parameters'] as Record<string, string | number | boolean | undefined>) : {},
    endReason: typeof j['endReason'] === 'string' ? j['endReason'] : 'unknown',
    exitCode: typeof j['exitCode'] === 'number' ? j['exitCode'] : 0,
    saturated: isObject(sat) && sat['saturated'] === true,
    saturation: sat ?? null,
    ladders,
  };
}

/** Throws MergeRefused with every problem found. */
export function mergeSegments(files: readonly SegmentFile[]): MergedRun {
  if (files.length === 0) throw new MergeRefused(['no files: sipts merge SEGMENT.json... (the --json file of each segment)']);
  const problems: string[] = [];
  const loaded: Loaded[] = [];
  for (const f of files) {
    const l = load(f);
    if (typeof l === 'string') problems.push(l);
    else loaded.push(l);
  }
  if (problems.length > 0) throw new MergeRefused(problems);
  const first = loaded[0] as Loaded;
  for (const l of loaded.slice(1)) {
    if (l.version !== first.version)
      problems.push(
        `${l.file}: written by sipts ${l.version}, ${first.file} by sipts ${first.version}: run every segment with the same sipts version`,
      );
    if (l.scenarioName !== first.scenarioName || l.record.scenarioSha256 !== first.record.scenarioSha256)
      problems.push(
        `${l.file}: scenario "${l.scenarioName}" (sha256 ${l.record.scenarioSha256.slice(0, 12)}…), ${first.file}: "${first.scenarioName}" (sha256 ${first.record.scenarioSha256.slice(0, 12)}…): these are not segments of one run (every segment runs the same scenario text)`,
      );
    if (l.record.of !== first.record.of)
      problems.push(
        `${l.file}: segment ${l.record.index}/${l.record.of}, ${first.file}: segment ${first.record.index}/${first.record.of}: the runs were split differently`,
      );
  }
  const of = first.record.of;
  const byIndex = new Map<number, Loaded>();
  for (const l of loaded) {
    const seen = byIndex.get(l.record.index);
    if (seen !== undefined) problems.push(`segment ${l.record.index}/${of} given twice: ${seen.file} and ${l.file}`);
    else byIndex.set(l.record.index, l);
  }
  const missing = Array.from({ length: of }, (_v, i) => i).filter((i) => !byIndex.has(i));
  if (missing.length > 0 && problems.length === 0)
    problems.push(
      `segment${missing.length === 1 ? '' : 's'} ${missing.map((i) => `${i}/${of}`).join(', ')} missing (given: ${[...byIndex.keys()]
        .sort((a, b) => a - b)
        .map((i) => `${i}/${of}`)
        .join(', ')}): a merged run needs every segment's --json`,
    );
  if (problems.length > 0) throw new MergeRefused(problems);
  const ordered = [...byIndex.values()].sort((a, b) => a.record.index - b.record.index);
  let stats: StatsExport;
  let rtp: RtpExport | undefined;
  const sides: { role: SideRecord['role']; outline: ScenarioOutline; stats: StatsExport }[] = [];
  try {
    stats = ordered.map((l) => l.record.stats).reduce((a, b) => mergeExports(a, b));
    const rtps = ordered.map((l) => l.record.rtp).filter((r): r is RtpExport => r !== undefined);
    rtp = rtps.length === 0 ? undefined : rtps.reduce(mergeRtp);
    for (const role of ['outOfCall', 'receive'] as const) {
      const parts = ordered.flatMap((l) => l.record.sides.filter((s) => s.role === role));
      const one = parts[0];
      if (one !== undefined)
        sides.push({ role, outline: one.outline, stats: parts.map((p) => p.stats).reduce((a, b) => mergeExports(a, b)) });
    }
  } catch (e) {
    throw new MergeRefused([`${messageOf(e)} (${ordered.map((l) => l.file).join(', ')})`]);
  }
  const startedAtMs = Math.min(...ordered.map((l) => l.record.startedAtMs));
  const endedAtMs = Math.max(...ordered.map((l) => l.record.endedAtMs));
  // One process would have run from the first segment's start to the last one's end.
  const merged: StatsExport = {
    ...stats,
    counts: { ...stats.counts, elapsedMs: Math.max(stats.counts.elapsedMs, endedAtMs - startedAtMs) },
  };
  const sum = (key: string): number | undefined => {
    const values = ordered.map((l) => l.parameters[key]);
    return values.every((v) => typeof v === 'number') ? values.reduce((a, b) => a + b, 0) : undefined;
  };
  const perReason = new Map<string, number>();
  const ladders = ordered
    .flatMap((l) => l.ladders)
    .filter((l) => {
      const n = perReason.get(l.reason) ?? 0;
      perReason.set(l.reason, n + 1);
      return n < LADDERS_PER_REASON;
    });
  const outline = first.record.outline;
  return {
    version: first.version,
    outline,
    stats: merged,
    snapshot: summarize(merged),
    sides: sides.map((s) => ({ role: s.role, outline: s.outline, snapshot: summarize(s.stats) })),
    parameters: { ...first.parameters, limit: sum('limit'), users: sum('users') },
    endReason: ordered.find((l) => l.endReason !== 'calls-done')?.endReason ?? 'calls-done',
    segments: ordered.map((l) => ({
      index: l.record.index,
      file: l.file,
      endReason: l.endReason,
      exitCode: l.exitCode,
      saturated: l.saturated,
      saturation: l.saturation,
      startedAtMs: l.record.startedAtMs,
      endedAtMs: l.record.endedAtMs,
    })),
    ladders,
    startedAtMs,
    endedAtMs,
    record: {
      format: SEGMENT_FORMAT,
      index: 0,
      of: 1,
      scenarioSha256: first.record.scenarioSha256,
      startedAtMs,
      endedAtMs,
      outline,
      stats: merged,
      sides,
      ...(rtp === undefined ? {} : { rtp }),
    },
  };
}
