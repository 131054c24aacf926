/**
 * A self-contained HTML report: no script, no external file. Plots (inline SVG) of the call rate, failures
 * and response-time percentiles over time, the summary, the steps, failure reasons and the ladders of the
 * first failed calls of each reason.
 */
import { FAILURE_HELP, FAILURE_REASONS } from '../events/outcome.js';
import { StepKind } from '../scenario/compile.js';
import type { ScenarioOutline } from '../scenario/outline.js';
import { PERCENTILE_HEADS, percentileCells, type StatsSnapshot } from '../stats/stats.js';
import type { RunFacts } from './json.js';
import { saturationMeaning } from './saturation.js';
import type { Ladder } from './traces.js';
import type { ThresholdResult } from './thresholds.js';
import type { TimelinePoint } from './timeline.js';

export interface HtmlInput {
  readonly title: string;
  readonly scenario: ScenarioOutline;
  readonly snapshot: StatsSnapshot;
  readonly timeline: readonly TimelinePoint[];
  readonly ladders: readonly Ladder[];
  readonly verdicts: readonly ThresholdResult[];
  readonly facts: RunFacts;
}

const h = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

interface Series {
  readonly name: string;
  readonly color: string;
  readonly points: readonly (readonly [number, number])[];
}

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b'];

/** A nice step for axis ticks: 1, 2 or 5 times a power of ten. */
function niceStep(max: number, ticks: number): number {
  const raw = max / ticks;
  const p = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 5, 10].map((m) => m * p).find((s) => s >= raw) ?? raw;
}

export function lineChart(title: string, yUnit: string, series: readonly Series[], xEnd = 0): string {
  const W = 760,
    H = 240,
    L = 60,
    R = 150,
    T = 28,
    B = 36;
  const xs = series.flatMap((s) => s.points.map((p) => p[0]));
  const ys = series.flatMap((s) => s.points.map((p) => p[1]));
  const xMax = Math.max(1, xEnd, ...xs);
  const yStep = niceStep(Math.max(1e-9, ...ys, 0) || 1, 5);
  const yMax = Math.max(yStep, Math.ceil(Math.max(0, ...ys) / yStep) * yStep);
  const x = (v: number): number => L + ((W - L - R) * v) / xMax;
  const y = (v: number): number => H - B - ((H - T - B) * v) / yMax;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${h(title)}">`,
    `<text x="${L}" y="18" font-size="14" font-weight="bold">${h(title)}</text>`,
  ];
  for (let v = 0; v <= yMax + 1e-9; v += yStep) {
    parts.push(
      `<line x1="${L}" x2="${W - R}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" stroke="#ddd"/>`,
      `<text x="${L - 6}" y="${(y(v) + 4).toFixed(1)}" font-size="11" text-anchor="end">${Number(v.toPrecision(6))}</text>`,
    );
  }
  const xStep = niceStep(xMax, 8);
  for (let v = 0; v <= xMax + 1e-9; v += xStep) {
    parts.push(`<text x="${x(v).toFixed(1)}" y="${H - B + 16}" font-size="11" text-anchor="middle">${Number(v.toPrecision(6))}</text>`);
  }
  parts.push(
    `<text x="${(L + W - R) / 2}" y="${H - 4}" font-size="11" text-anchor="middle">seconds since start</text>`,
    `<text x="14" y="${(T + H - B) / 2}" font-size="11" transform="rotate(-90 14 ${(T + H - B) / 2})" text-anchor="middle">${h(yUnit)}</text>`,
    `<rect x="${L}" y="${T}" width="${W - L - R}" height="${H - T - B}" fill="none" stroke="#888"/>`,
  );
  series.forEach((s, i) => {
    if (s.points.length > 0) {
      const d = s.points.map((p, j) => `${j === 0 ? 'M' : 'L'}${x(p[0]).toFixed(1)},${y(p[1]).toFixed(1)}`).join(' ');
      parts.push(`<path d="${d}" fill="none" stroke="${s.color}" stroke-width="1.6"/>`);
    }
    parts.push(
      `<rect x="${W - R + 12}" y="${T + 6 + i * 18}" width="12" height="3" fill="${s.color}"/>`,
      `<text x="${W - R + 30}" y="${T + 11 + i * 18}" font-size="11">${h(s.name)}</text>`,
    );
  });
  parts.push('</svg>');
  return parts.join('');
}

/** Per-second rates from cumulative samples. */
function perSecond(points: readonly TimelinePoint[], of: (p: TimelinePoint) => number): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 1; i < points.length; i++) {
    const a = points[i - 1] as TimelinePoint,
      b = points[i] as TimelinePoint;
    const dt = b.tS - a.tS;
    if (dt > 0) out.push([b.tS, (of(b) - of(a)) / dt]);
  }
  return out;
}

function table(head: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  return `<table><thead><tr>${head.map((c) => `<th>${h(c)}</th>`).join('')}</tr></thead><tbody>${rows.map((r) => `<tr>${r.map((c) => `<td>${h(String(c))}</td>`).join('')}</tr>`).join('')}</tbody></table>`;
}

export function htmlReport(r: HtmlInput): string {
  const s = r.snapshot;
  const c = s.counters;
  // Every plot starts at 0 with nothing counted yet, and spans the whole run.
  const tl: readonly TimelinePoint[] = [{ tS: 0, created: 0, successful: 0, failed: 0, open: 0, retrans: 0, rtd: [] }, ...r.timeline];
  const end = s.elapsedMs / 1000;
  const charts = [
    lineChart(
      'Call rate',
      'calls per second',
      [
        { name: 'created', color: COLORS[0] ?? '', points: perSecond(tl, (p) => p.created) },
        { name: 'successful', color: COLORS[2] ?? '', points: perSecond(tl, (p) => p.successful) },
      ],
      end,
    ),
    lineChart(
      'Failures and load',
      'calls or messages',
      [
        { name: 'failed (total)', color: COLORS[1] ?? '', points: tl.map((p) => [p.tS, p.failed] as const) },
        { name: 'retransmissions', color: COLORS[3] ?? '', points: tl.map((p) => [p.tS, p.retrans] as const) },
        { name: 'open calls', color: COLORS[4] ?? '', points: tl.map((p) => [p.tS, p.open] as const) },
      ],
      end,
    ),
    ...s.rtd.map((rtd, i) =>
      lineChart(
        `Response time ${rtd.name}`,
        'ms',
        [
          {
            name: 'p50',
            color: COLORS[0] ?? '',
            points: tl.filter((p) => (p.rtd[i]?.count ?? 0) > 0).map((p) => [p.tS, p.rtd[i]?.p50Ms ?? 0] as const),
          },
          {
            name: 'p90',
            color: COLORS[2] ?? '',
            points: tl.filter((p) => (p.rtd[i]?.count ?? 0) > 0).map((p) => [p.tS, p.rtd[i]?.p90Ms ?? 0] as const),
          },
          {
            name: 'p99',
            color: COLORS[1] ?? '',
            points: tl.filter((p) => (p.rtd[i]?.count ?? 0) > 0).map((p) => [p.tS, p.rtd[i]?.p99Ms ?? 0] as const),
          },
        ],
        end,
      ),
    ),
  ];
  const steps = r.scenario.steps.map((st, i) => {
    const n = s.steps[i];
    return [
      i,
      st.title.trim(),
      (st.kind === StepKind.Recv || st.kind === StepKind.RecvCmd ? n?.recv : n?.sent) ?? 0,
      n?.retrans ?? 0,
      n?.timeouts ?? 0,
      n?.unexpected ?? 0,
    ];
  });
  const failures = FAILURE_REASONS.filter((f) => s.failures[f] > 0).map((f) => [f, s.failures[f], FAILURE_HELP[f]]);
  if (c.AbortedCalls > 0) failures.push(['Aborted', c.AbortedCalls, 'still open when the run was stopped']);
  const verdict = r.facts.exitCode === 0 ? 'pass' : 'fail';
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>${h(r.title)}</title>
<style>
body{font-family:system-ui,sans-serif;margin:24px;max-width:1000px;color:#222}
table{border-collapse:collapse;margin:8px 0 20px}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}th{background:#f3f3f3}
td:first-child,th:first-child{text-align:left}pre{background:#f7f7f7;padding:10px;overflow-x:auto;font-size:12px}
.pass{color:#1a7f37}.fail{color:#cf222e}
</style></head><body>
<h1>${h(r.title)}</h1>
<p class="${verdict}"><strong>${verdict === 'pass' ? 'Passed' : 'Failed'}</strong>: exit code ${r.facts.exitCode}, run ended by ${h(r.facts.endReason)} after ${(s.elapsedMs / 1000).toFixed(1)} s.</p>
${r.facts.saturation?.saturated === true ? `<p class="fail"><strong>Saturated</strong>: ${h(saturationMeaning(r.facts.saturation))}.</p>\n` : ''}<h2>Summary</h2>
${table(
  ['counter', 'value'],
  [
    ['calls created', c.CallsCreated],
    ['successful', c.SuccessfulCalls],
    ['failed', c.FailedCalls],
    ['aborted', c.AbortedCalls],
    ['retransmissions', c.Retransmissions],
    ['out-of-call messages', c.OutOfCallMsgs],
    ['dead-call messages', c.DeadCallMsgs],
    ['bad messages', c.BadMessages],
    ['transport errors', c.SendErrors],
  ],
)}
${table(['measure (ms)', ...PERCENTILE_HEADS], [...s.rtd.map((x) => [`response time ${x.name}`, ...percentileCells(x.summary)]), ['call length', ...percentileCells(s.callLength)]])}
${
  s.rtp === undefined
    ? ''
    : `<h2>RTP media</h2>${table(
        ['measure', 'value'],
        [
          ['packets sent', s.rtp.packetsSent],
          ['packets received', s.rtp.packetsReceived],
          ['packets lost', s.rtp.packetsLost],
          ['jitter p50 (ms)', s.rtp.jitterP50Ms],
          ['jitter p99 (ms)', s.rtp.jitterP99Ms],
          ['MOS (estimate, ITU-T G.107)', s.rtp.mos === 0 ? '-' : s.rtp.mos.toFixed(2)],
          ["sipts's send lateness p99 / max (ms)", `${s.rtp.sendLatenessP99Ms} / ${s.rtp.sendLatenessMaxMs}`],
          ['echoed', s.rtp.echoed],
          ['media errors', s.rtp.errors],
        ],
      )}\n`
}${
    r.verdicts.length > 0
      ? `<h2>Thresholds</h2>${table(
          ['threshold', 'value', 'limit', 'result'],
          r.verdicts.map((v) => [v.name, v.value, v.limit, v.ok ? 'passed' : 'FAILED']),
        )}`
      : ''
  }
<h2>Over time</h2>
${charts.join('\n')}
<h2>Scenario steps: ${h(r.scenario.name)}</h2>
${table(['#', 'step', 'messages', 'retrans', 'timeouts', 'unexpected'], steps)}
<h2>Failures</h2>
${failures.length === 0 ? '<p>No call failed.</p>' : table(['reason', 'calls', 'meaning'], failures)}
${Object.keys(s.unexpected).length > 0 ? table(['unexpected message', 'count'], Object.entries(s.unexpected)) : ''}
${r.ladders.length > 0 ? `<h3>First failed calls of each reason</h3>${r.ladders.map((l) => `<pre>${h(l.text)}</pre>`).join('\n')}` : ''}
<h2>Parameters</h2>
${table(
  ['parameter', 'value'],
  Object.entries(r.facts.parameters)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => [k, String(v)]),
)}
</body></html>
`;
}
