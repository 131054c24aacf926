/** --json FILE: the run as data, for CI scripts. */
import { FAILURE_REASONS } from '../events/outcome.js';
import { TRANSPORT_ERROR_KINDS } from '../events/transport-error.js';
import type { ScenarioOutline } from '../scenario/outline.js';
import type { SaturationReport } from '../stats/saturation.js';
import type { StatsSnapshot } from '../stats/stats.js';
import { saturationMeaning } from './saturation.js';
import type { SegmentRecord } from './segment-record.js';
import type { ThresholdResult } from './thresholds.js';
import type { Ladder } from './traces.js';

export interface RunFacts {
  readonly version: string;
  readonly parameters: Readonly<Record<string, string | number | boolean | undefined>>;
  readonly endReason: string;
  readonly exitCode: number;
  /** The scenarios run beside the main one (-oocsf, -rxsf), each with its own statistics. */
  readonly sides?: readonly SideRun[] | undefined;
  /** Whether sipts itself limited the run (stats/saturation.ts); undefined: not watched. */
  readonly saturation?: SaturationReport | undefined;
  /** What `sipts merge` reads (segment-record.ts); undefined: none written. */
  readonly segment?: SegmentRecord | undefined;
}

export interface SideRun {
  readonly role: 'outOfCall' | 'receive';
  readonly scenario: ScenarioOutline;
  readonly snapshot: StatsSnapshot;
}

/** Transport errors by kind, those that happened (their sum is counters.SendErrors). */
const transportErrors = (s: StatsSnapshot): Record<string, number> =>
  Object.fromEntries(TRANSPORT_ERROR_KINDS.filter((k) => s.transportErrors[k] > 0).map((k) => [k, s.transportErrors[k]]));

/** A side scenario's part of the report: what the main one has, less the run's facts. */
function side(r: SideRun): Record<string, unknown> {
  const s = r.snapshot;
  return {
    scenario: { name: r.scenario.name, file: r.scenario.file },
    counters: s.counters,
    failures: Object.fromEntries(FAILURE_REASONS.filter((f) => s.failures[f] > 0).map((f) => [f, s.failures[f]])),
    transportErrors: transportErrors(s),
    unexpected: s.unexpected,
    steps: r.scenario.steps.map((st, i) => ({ index: i, step: st.title, line: st.loc.line, ...s.steps[i] })),
    responseTimes: s.rtd.map((x) => ({ name: x.name, ...x.summary })),
    callLength: s.callLength,
  };
}

/** Whether sipts kept up; a start that did not happen is null, so every key is there for a script to read. */
function saturationJson(r: SaturationReport): Record<string, unknown> {
  return {
    saturated: r.saturated,
    what: r.what,
    sinceMs: r.sinceMs ?? null,
    meaning: saturationMeaning(r),
    signals: Object.fromEntries(Object.entries(r.signals).map(([k, v]) => [k, { ...v, sinceMs: v.sinceMs ?? null }])),
    receiveDrops: r.receiveDrops,
  };
}

/** The --json report as an object (sipts merge adds to it before writing). */
export function jsonObject(
  s: StatsSnapshot,
  scenario: ScenarioOutline,
  facts: RunFacts,
  thresholds: readonly ThresholdResult[],
  ladders: readonly Ladder[] = [],
): Record<string, unknown> {
  return {
    tool: 'sipts',
    version: facts.version,
    scenario: { name: scenario.name, file: scenario.file },
    parameters: facts.parameters,
    endReason: facts.endReason,
    exitCode: facts.exitCode,
    elapsedMs: Math.round(s.elapsedMs),
    counters: s.counters,
    failures: Object.fromEntries(FAILURE_REASONS.filter((r) => s.failures[r] > 0).map((r) => [r, s.failures[r]])),
    transportErrors: transportErrors(s),
    unexpected: s.unexpected,
    steps: scenario.steps.map((st, i) => ({ index: i, step: st.title, line: st.loc.line, ...s.steps[i] })),
    responseTimes: s.rtd.map((r) => ({ name: r.name, ...r.summary })),
    callLength: s.callLength,
    // mos is an estimate (ITU-T G.107 E-model), not a listening test.
    ...(s.rtp === undefined ? {} : { rtp: s.rtp }),
    scenarioCounters: s.userCounters,
    thresholds,
    ...(facts.saturation === undefined ? {} : { saturation: saturationJson(facts.saturation) }),
    failedCalls: ladders.map((l) => ({ reason: l.reason, callId: l.callId, ladder: l.text.split('\n') })),
    ...Object.fromEntries((facts.sides ?? []).map((r) => [r.role, side(r)])),
    ...(facts.segment === undefined ? {} : { segment: facts.segment }),
  };
}

export function jsonReport(
  s: StatsSnapshot,
  scenario: ScenarioOutline,
  facts: RunFacts,
  thresholds: readonly ThresholdResult[],
  ladders: readonly Ladder[] = [],
): string {
  return `${JSON.stringify(jsonObject(s, scenario, facts, thresholds, ladders), null, 2)}\n`;
}
