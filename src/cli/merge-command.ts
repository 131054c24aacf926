/**
 * `sipts merge FILE... [--json F] [--junit F] [--html F] [thresholds]`: the --json files of a run's segments
 * (--segment I/N) → one run: its summary, reports, thresholds and exit code, decided once, as if one process had
 * run it (report/merge-segments.ts).
 */
import { rtpTotalsOf } from '../engine/media-tally.js';
import { readFileSync, writeFileSync } from 'node:fs';
import { htmlReport } from '../report/html.js';
import { jsonObject, type RunFacts, type SideRun } from '../report/json.js';
import { junitReport } from '../report/junit.js';
import { isStrings, MergeRefused, mergeSegments, type MergedRun, type SegmentFile } from '../report/merge-segments.js';
import { formatSummary } from '../report/summary.js';
import { anyThreshold, judge } from '../report/thresholds.js';
import { buildConfig, ConfigErrors, type RunConfig } from './config.js';
import { EXIT, exitCodeFor } from './exit-codes.js';
import { parseJson } from '../json.js';
import { errnoCode, messageOf } from '../thrown.js';

/** The options merge takes: where its reports go, and the thresholds, spelled as in a run. */
const REPORTS = ['json', 'junit', 'html'] as const;
const THRESHOLDS = ['max-failed', 'max-rtd-p99', 'min-success-rate', 'max-rtp-loss', 'max-jitter'] as const;
const TAKES: ReadonlySet<string> = new Set([...REPORTS, ...THRESHOLDS]);

export const MERGE_USAGE = `Usage: sipts merge SEGMENT.json... [-json FILE] [-junit FILE] [-html FILE] [-max-failed N] [-max-rtd-p99 TIME] [-min-success-rate PERCENT] [-max-rtp-loss PERCENT] [-max-jitter TIME]

Merges the --json files of the segments of one run (sipts --segment I/N ... --json seg-I.json) into that run,
as if one process had run it: counters add and the HDR histograms merge, so percentiles are the whole run's.
Prints the merged summary, writes the reports asked for, judges the thresholds once, and exits as a run would
(0 all calls succeeded, 1 some failed, 2 a threshold failed). Refuses files of other scenarios or sipts
versions, a segment given twice, and a missing segment. The thresholds are those given here (the segments' own
are not carried over); the parameters are segment 0's, with -l and -users added up; the failed-call ladders are
the segments' first ones, 3 per failure reason. Not merged: the HTML plots over time, and the saturation watch
(the merged --json lists each segment's).
`;

const isWhat = (v: unknown): v is { what: string[] } => typeof v === 'object' && v !== null && 'what' in v && isStrings(v.what);

export interface MergeIo {
  readonly out: (s: string) => void;
  readonly err: (s: string) => void;
}

export function runMerge(args: readonly string[], io: MergeIo): number {
  const files: string[] = [];
  const raw: Record<string, string> = {};
  const problems: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i] ?? '';
    if (a === '-h' || a === '--help' || a === '-help') {
      io.out(MERGE_USAGE);
      return EXIT.ALL_SUCCEEDED;
    }
    if (!a.startsWith('-') || a === '-') {
      files.push(a);
      continue;
    }
    const name = a.replace(/^--?/, '');
    const value = args[i + 1];
    if (!TAKES.has(name))
      problems.push(`merge: ${a}: not an option of sipts merge (it takes ${[...TAKES].map((t) => `-${t}`).join(', ')})`);
    else if (value === undefined)
      problems.push(`merge: ${a} needs a value: ${a} ${name === 'json' || name === 'junit' || name === 'html' ? 'FILE' : 'LIMIT'}`);
    else raw[name] = value;
    i++;
  }
  let config: RunConfig | undefined;
  try {
    config = buildConfig(raw, [], 0);
  } catch (e) {
    if (!(e instanceof ConfigErrors)) throw e;
    problems.push(...e.problems.map((p) => `merge: ${p}`));
  }
  const parsed: SegmentFile[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      problems.push(`${file}: cannot read it (${errnoCode(e) ?? String(e)})`);
      continue;
    }
    try {
      parsed.push({ file, json: parseJson(text) });
    } catch (e) {
      problems.push(`${file}: not a sipts result: not JSON (${messageOf(e)})`);
    }
  }
  if (files.length === 0) problems.push('merge: no files: sipts merge SEGMENT.json... (the --json file of each segment of the run)');
  let run: MergedRun | undefined;
  // The files' own problems are told beside the options', all at once.
  if (parsed.length > 0 && parsed.length === files.length) {
    try {
      run = mergeSegments(parsed);
    } catch (e) {
      if (!(e instanceof MergeRefused)) throw e;
      problems.push(...e.problems);
    }
  }
  if (problems.length > 0 || run === undefined || config === undefined) {
    for (const p of problems) io.err(`sipts: ${p}\n`);
    return EXIT.FATAL;
  }
  // RTP media: the segments' counts and histograms merged (report/merge-segments.ts), summarized as one run's.
  const rtp = run.record.rtp;
  const snap = rtp === undefined ? run.snapshot : { ...run.snapshot, rtp: rtpTotalsOf(rtp) };
  const n = run.segments.length;
  io.out(`${formatSummary(snap, run.outline, `sipts merge: ${n} segment${n === 1 ? '' : 's'}`)}\n`);
  for (const s of run.sides)
    io.out(`${formatSummary(s.snapshot, s.outline, `${s.role === 'receive' ? 'receive' : 'out-of-call'} scenario "${s.outline.name}"`)}\n`);
  for (const s of run.segments.filter((x) => x.saturated))
    io.out(`segment ${s.index} (${s.file}) was saturated: sipts itself limited it (see its own --json)\n`);
  const verdicts = judge(config.thresholds, snap);
  for (const v of verdicts) io.out(`threshold ${v.name}: ${v.value} (limit ${v.limit}) ${v.ok ? 'passed' : 'FAILED'}\n`);
  // As a single run decides: thresholds when given; else a fatal segment (overload, -timeout_error) is fatal;
  // else failed calls. A run's internal-command exit (97) is not merged: it said one segment stopped itself.
  const exitCode = anyThreshold(config.thresholds)
    ? verdicts.every((v) => v.ok)
      ? EXIT.ALL_SUCCEEDED
      : EXIT.THRESHOLD_FAILED
    : run.segments.some((s) => s.exitCode === EXIT.FATAL)
      ? EXIT.FATAL
      : exitCodeFor(snap, run.endReason === 'timeout');
  const sides: SideRun[] = run.sides.map((s) => ({ role: s.role, scenario: s.outline, snapshot: s.snapshot }));
  const facts: RunFacts = {
    version: run.version,
    endReason: run.endReason,
    exitCode,
    sides,
    parameters: { ...run.parameters, segments: n },
    segment: run.record,
  };
  if (config.jsonFile !== undefined) {
    // What a single run's JSON has, plus the segments it was merged from.
    const single = jsonObject(snap, run.outline, facts, verdicts, run.ladders);
    const segments = run.segments.map((s) => ({
      index: s.index,
      file: s.file,
      endReason: s.endReason,
      exitCode: s.exitCode,
      saturated: s.saturated,
      startedAt: new Date(s.startedAtMs).toISOString(),
      endedAt: new Date(s.endedAtMs).toISOString(),
    }));
    // Whether sipts itself limited the run is each process's own measure: the merged run was saturated if any
    // segment was, and each segment's figures are kept as they were.
    const saturated = run.segments.filter((s) => s.saturated);
    const saturation = {
      saturated: saturated.length > 0,
      what: [...new Set(saturated.flatMap((s) => (isWhat(s.saturation) ? s.saturation.what : [])))],
      sinceMs: null,
      meaning:
        saturated.length > 0
          ? `segment${saturated.length === 1 ? '' : 's'} ${saturated.map((s) => s.index).join(', ')} of ${n} limited by sipts itself: see bySegment`
          : `no segment of ${n} was limited by sipts itself`,
      bySegment: run.segments.map((s) => s.saturation),
    };
    writeFileSync(config.jsonFile, `${JSON.stringify({ ...single, saturation, mergedFrom: segments }, null, 2)}\n`);
  }
  if (config.junitFile !== undefined) writeFileSync(config.junitFile, junitReport(snap, run.outline, verdicts, run.ladders));
  if (config.htmlFile !== undefined)
    writeFileSync(
      config.htmlFile,
      htmlReport({
        title: `sipts report: ${run.outline.name} (${n} segments merged)`,
        scenario: run.outline,
        snapshot: snap,
        // Not merged: the segments' --json carry no figures over time.
        timeline: [],
        ladders: run.ladders,
        verdicts,
        facts,
      }),
    );
  return exitCode;
}
