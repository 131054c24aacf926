/**
 * --junit FILE: one test case per scenario step (failing where calls timed out or met an unexpected
 * message there), one per failure reason, one per threshold, so a CI server shows what broke and where.
 */
import { FAILURE_HELP, FAILURE_REASONS } from '../events/outcome.js';
import type { ScenarioOutline } from '../scenario/outline.js';
import type { SaturationReport } from '../stats/saturation.js';
import type { StatsSnapshot } from '../stats/stats.js';
import { saturationMeaning } from './saturation.js';
import type { ThresholdResult } from './thresholds.js';
import type { Ladder } from './traces.js';

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** `detail`: the failure's body, e.g. the ladders of the first failed calls. */
interface Case {
  readonly name: string;
  readonly failure: string | undefined;
  readonly detail?: string;
}

export function junitReport(
  s: StatsSnapshot,
  scenario: ScenarioOutline,
  thresholds: readonly ThresholdResult[],
  ladders: readonly Ladder[] = [],
  saturation?: SaturationReport,
): string {
  const steps: Case[] = scenario.steps.map((st, i) => {
    const n = s.steps[i];
    const problems: string[] = [];
    if ((n?.timeouts ?? 0) > 0) problems.push(`${n?.timeouts} timeout(s)`);
    if ((n?.unexpected ?? 0) > 0) problems.push(`${n?.unexpected} unexpected message(s)`);
    return {
      name: `step ${i} (line ${st.loc.line}): ${st.title}`,
      failure: problems.length === 0 ? undefined : `${problems.join(', ')} at step ${i} ${st.title} (${scenario.file}:${st.loc.line})`,
    };
  });
  const reasons: Case[] = FAILURE_REASONS.map((r) => {
    const failure = s.failures[r] > 0 ? `${s.failures[r]} call(s): ${FAILURE_HELP[r]}` : undefined;
    const flows = ladders.filter((l) => l.reason === r).map((l) => l.text);
    return flows.length === 0 ? { name: r, failure } : { name: r, failure, detail: `${failure ?? ''}\n\n${flows.join('\n\n')}` };
  });
  const limits: Case[] = thresholds.map((t) => ({
    name: `threshold ${t.name}`,
    failure: t.ok ? undefined : `${t.value}, limit ${t.limit}`,
  }));
  const suite = (name: string, cases: readonly Case[]): string => {
    const failures = cases.filter((c) => c.failure !== undefined).length;
    const body = cases
      .map(
        (c) =>
          `    <testcase classname="${esc(scenario.name)}" name="${esc(c.name)}" time="0">${c.failure === undefined ? '' : `\n      <failure message="${esc(c.failure)}" type="failure">${esc(c.detail ?? c.failure)}</failure>\n    `}</testcase>`,
      )
      .join('\n');
    return `  <testsuite name="${esc(name)}" tests="${cases.length}" failures="${failures}" errors="0" skipped="0" time="${(s.elapsedMs / 1000).toFixed(3)}">\n${body}\n  </testsuite>`;
  };
  const suites = [suite(`${scenario.name}: steps`, steps), suite(`${scenario.name}: failure reasons`, reasons)];
  if (limits.length > 0) suites.push(suite(`${scenario.name}: thresholds`, limits));
  // Whether the figures above measure the server at all: fails when sipts itself was the bottleneck.
  if (saturation !== undefined)
    suites.push(
      suite(`${scenario.name}: load generator`, [
        { name: 'sipts kept up (not saturated)', failure: saturation.saturated ? saturationMeaning(saturation) : undefined },
      ]),
    );
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="sipts">\n${suites.join('\n')}\n</testsuites>\n`;
}
