/** Issue 18: a snapshot's rtp figures reach the live screen, the summary and --json (and nothing when a run has no media). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { jsonReport } from '../../src/report/json.js';
import { scenarioScreen } from '../../src/report/screens.js';
import { formatSummary } from '../../src/report/summary.js';
import { compileScenarioSource } from '../../src/scenario/compile.js';
import { Stats, type RtpTotals } from '../../src/stats/stats.js';
import { env } from '../helpers.js';

const sc = compileScenarioSource('r.xml', '<?xml version="1.0"?>\n<scenario name="r"><pause milliseconds="5"/></scenario>\n', env);
const plain = new Stats(sc.steps.length, sc.rtdNames, 0, sc.counterNames, { responseTime: [], callLength: [] }).snapshot(1000);
const rtp: RtpTotals = { packetsSent: 500, packetsReceived: 490, packetsLost: 10, jitterP50Ms: 0.5, jitterP99Ms: 2.25, mos: 4.12, echoed: 0, errors: 0 };
const withRtp = { ...plain, rtp };
const facts = { version: '0', parameters: {}, endReason: 'done', exitCode: 0 };

test('--json: an rtp object with the issue\'s fields when the run has media, none otherwise', () => {
  const j = JSON.parse(jsonReport(withRtp, sc, facts, [])) as { rtp: RtpTotals };
  assert.deepEqual(j.rtp, rtp);
  assert.equal('rtp' in (JSON.parse(jsonReport(plain, sc, facts, [])) as object), false);
});

test('summary and live screen: RTP figures, the MOS labelled an estimate', () => {
  const summary = formatSummary(withRtp, sc, 'Run');
  assert.match(summary, /Packets lost\s*│ 10/);
  assert.match(summary, /MOS \(estimate, G\.107\)\s*│ 4\.12/);
  assert.doesNotMatch(formatSummary(plain, sc, 'Run'), /RTP media/);
  const screen = scenarioScreen(withRtp, { scenario: sc, currentRate: 1, ratePeriodMs: 1000, paused: false, local: 'l', remote: 'r', startEpochMs: 0, variables: () => [] });
  assert.match(screen, /RTP: 500 sent, 490 received, 10 lost, jitter p50\/p99 0\.5\/2\.25 ms, MOS 4\.12 \(estimate\)/);
});
