/**
 * sipts merge's core (report/merge-segments.ts) on records made here, with hand-computed figures, and the
 * --hdr-log writer (report/hdr-log.ts) read back by hdr-histogram-js's own log reader.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { HistogramLogReader } from 'hdr-histogram-js';
import { jsonReport } from '../../src/report/json.js';
import { HdrLog } from '../../src/report/hdr-log.js';
import { MergeRefused, mergeSegments, type SegmentFile } from '../../src/report/merge-segments.js';
import { SEGMENT_FORMAT } from '../../src/report/segment-record.js';
import { StepKind } from '../../src/scenario/compiled-step.js';
import type { ScenarioOutline } from '../../src/scenario/outline.js';
import { Counter, Stats } from '../../src/stats/stats.js';

const outline: ScenarioOutline = {
  name: 'two steps',
  file: 'two.xml',
  steps: [
    { kind: StepKind.Send, title: 'INVITE ->', loc: { line: 3 } },
    { kind: StepKind.Recv, title: '<- 200', loc: { line: 9 } },
  ],
};

/**
 * Segment 0 measured response times 1, 2, … 900 ms, segment 1 100 times 2000 ms: the union's nearest ranks are
 * p50 = #500 = 500 ms, p90 = #900 = 900 ms, p99 = #990 = 2000 ms; neither segment's own percentiles give these.
 */
function segmentFile(index: number, of = 2, over: Partial<{ version: string; sha: string; tool: string }> = {}): SegmentFile {
  const s = new Stats(2, ['1'], 0, []);
  const values = index === 0 ? Array.from({ length: 900 }, (_v, i) => i + 1) : Array.from({ length: 100 }, () => 2000);
  for (const ms of values) {
    s.recordRtd(0, ms);
    s.recordCallLength(ms);
    s.count(Counter.CallsCreated);
    s.count(Counter.SuccessfulCalls);
  }
  const text = jsonReport(
    s.snapshot(10_000),
    outline,
    {
      version: over.version ?? '1.2.3',
      endReason: 'calls-done',
      exitCode: 0,
      parameters: { rate: 10, limit: 5, users: 0 },
      segment: {
        format: SEGMENT_FORMAT,
        index,
        of,
        scenarioSha256: over.sha ?? 'a'.repeat(64),
        startedAtMs: 1_000_000 + index * 500,
        endedAtMs: 1_010_000 + index * 1000,
        outline,
        stats: s.export(10_000),
        sides: [],
      },
    },
    [],
  );
  const json = JSON.parse(text) as Record<string, unknown>;
  if (over.tool !== undefined) json['tool'] = over.tool;
  return { file: `seg-${index}.json`, json };
}

test('two segments merge into the union: counts add, percentiles by hand, -l added, elapsed from first start to last end', () => {
  const m = mergeSegments([segmentFile(1), segmentFile(0)]);
  assert.equal(m.snapshot.counters.CallsCreated, 1000);
  assert.equal(m.snapshot.counters.SuccessfulCalls, 1000);
  const rtd = m.snapshot.rtd[0]?.summary;
  assert.ok(rtd !== undefined);
  assert.equal(rtd.count, 1000);
  assert.ok(Math.abs(rtd.p50Ms - 500) <= 0.5, `p50 ${rtd.p50Ms}`);
  assert.ok(Math.abs(rtd.p90Ms - 900) <= 0.9, `p90 ${rtd.p90Ms}`);
  assert.equal(rtd.p99Ms, 2000);
  assert.equal(rtd.minMs, 1);
  assert.equal(m.parameters['limit'], 10);
  // 1,000,000 to 1,011,000 ms.
  assert.equal(m.snapshot.elapsedMs, 11_000);
  assert.deepEqual(
    m.segments.map((s) => s.index),
    [0, 1],
  );
  assert.equal(m.outline.steps[1]?.title, '<- 200');
});

test('refusals, all at once: twice, missing, another scenario or version, not a sipts result', () => {
  const problems = (files: SegmentFile[]): readonly string[] => {
    try {
      mergeSegments(files);
    } catch (e) {
      if (e instanceof MergeRefused) return e.problems;
      throw e;
    }
    return [];
  };
  assert.deepEqual(problems([segmentFile(0, 3), segmentFile(2, 3)]), [
    "segment 1/3 missing (given: 0/3, 2/3): a merged run needs every segment's --json",
  ]);
  assert.deepEqual(problems([segmentFile(0), segmentFile(0), segmentFile(1)]), ['segment 0/2 given twice: seg-0.json and seg-0.json']);
  assert.match(problems([segmentFile(0), segmentFile(1, 2, { sha: 'b'.repeat(64) })]).join('\n'), /not segments of one run/);
  assert.match(
    problems([segmentFile(0), segmentFile(1, 2, { version: '9.9.9' })]).join('\n'),
    /written by sipts 9\.9\.9, seg-0\.json by sipts 1\.2\.3/,
  );
  assert.match(problems([segmentFile(0), segmentFile(1, 2, { tool: 'k6' })]).join('\n'), /^seg-1\.json: not a sipts result/);
  assert.match(problems([{ file: 'x.json', json: [] }]).join('\n'), /^x\.json: not a sipts result/);
});

test('--hdr-log: header lines of format 1.3, then intervals that hdr-histogram-js reads back with the counts recorded in each', () => {
  const file = join(mkdtempSync(join(tmpdir(), 'sipts-hdrlog-')), 'run.hlog');
  const s = new Stats(1, ['a b'], 0, []);
  const log = new HdrLog(file, 1_000_000, '1.2.3');
  for (let ms = 1; ms <= 30; ms++) s.recordRtd(0, ms);
  log.write(s.export(1000), 1_001_000);
  // An interval with nothing recorded writes no line.
  log.write(s.export(2000), 1_002_000);
  for (let i = 0; i < 5; i++) {
    s.recordRtd(0, 100);
    s.recordCallLength(5000);
  }
  log.close(s.export(3000), 1_003_000);
  const text = readFileSync(file, 'utf8');
  const lines = text.split('\n');
  assert.equal(lines[1], '#[Histogram log format version 1.3]');
  assert.match(lines[2] ?? '', /^#\[StartTime: 1000\.000 \(seconds since epoch\), 1970-01-01T00:16:40\.000Z\]$/);
  assert.equal(lines[3], '#[BaseTime: 1000.000 (seconds since epoch)]');
  assert.equal(lines[4], '"StartTimestamp","Interval_Length","Interval_Max","Interval_Compressed_Histogram"');
  assert.match(lines[5] ?? '', /^Tag=response-time-a_b,0\.000,1\.000,30\.0\d\d,HISTF/);
  const reader = new HistogramLogReader(text, 64, false);
  const got: [string, number, number][] = [];
  for (let h = reader.nextIntervalHistogram(); h !== null; h = reader.nextIntervalHistogram())
    got.push([h.tag, h.totalCount, Math.round(h.startTimeStampMsec - 1_000_000)]);
  assert.deepEqual(got, [
    ['response-time-a_b', 30, 0],
    ['response-time-a_b', 5, 2000],
    ['call-length', 5, 2000],
  ]);
});
