/**
 * What a --json file carries so that `sipts merge` can make one run of many (segments of one run, each its own
 * process, --segment I/N): the statistics as exports that add up (counters and encoded HDR histograms, never
 * percentiles), which segment of how many it was, when it ran, and what it ran (sipts version, scenario name and
 * a hash of its text, the outline of its steps that the reports print). Every run writes it: a run without
 * --segment is segment 0 of 1.
 */
import type { ScenarioOutline, StepOutline } from '../scenario/outline.js';
import type { RtpExport } from '../stats/rtp.js';
import type { StatsExport } from '../stats/stats.js';

/** Written in every record, checked by the reader. */
export const SEGMENT_FORMAT = 'sipts-segment/1';

export interface SideRecord {
  readonly role: 'outOfCall' | 'receive';
  readonly outline: ScenarioOutline;
  readonly stats: StatsExport;
}

export interface SegmentRecord {
  readonly format: string;
  /** 0-based, as --segment I/N. */
  readonly index: number;
  readonly of: number;
  /** SHA-256 (hex) of the main scenario's XML text: segments of one run ran the same text. */
  readonly scenarioSha256: string;
  /** The run's start (its engine's, after any --start-at) and end, epoch ms. */
  readonly startedAtMs: number;
  readonly endedAtMs: number;
  readonly outline: ScenarioOutline;
  readonly stats: StatsExport;
  readonly sides: readonly SideRecord[];
  /** RTP media, when the run had any: counts and encoded histograms that add up (stats/rtp.ts). */
  readonly rtp?: RtpExport | undefined;
}

/** A compiled scenario's outline as plain data: only what the reports read, so the record stays small. */
export function outlineOf(s: ScenarioOutline): ScenarioOutline {
  return {
    name: s.name,
    file: s.file,
    steps: s.steps.map((st): StepOutline => ({ kind: st.kind, title: st.title, loc: { line: st.loc.line } })),
  };
}
