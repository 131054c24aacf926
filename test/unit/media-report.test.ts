/** Issue 18: a snapshot's rtp figures reach the live screen, the summary and --json (and nothing when a run has no media). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { jsonReport } from '../../src/report/json.js';
import { scenarioScreen } from '../../src/report/screens.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StatFile } from '../../src/report/stat-file.js';
import { renderMetrics } from '../../src/report/prometheus.js';
import { htmlReport } from '../../src/report/html.js';
import { judge } from '../../src/report/thresholds.js';
import { buildConfig } from '../../src/cli/config.js';
import { formatSummary } from '../../src/report/summary.js';
import { compileScenarioSource } from '../../src/scenario/compile.js';
import { Stats, type RtpTotals } from '../../src/stats/stats.js';
import { env } from '../helpers.js';

const sc = compileScenarioSource('r.xml', '<?xml version="1.0"?>\n<scenario name="r"><pause milliseconds="5"/></scenario>\n', env);
const plain = new Stats(sc.steps.length, sc.rtdNames, 0, sc.counterNames, { responseTime: [], callLength: [] }).snapshot(1000);
const rtp: RtpTotals = {
  packetsSent: 500,
  packetsReceived: 490,
  packetsLost: 10,
  jitterP50Ms: 0.5,
  jitterP99Ms: 2.25,
  mos: 4.12,
  echoed: 0,
  sendLatenessP99Ms: 1.5,
  sendLatenessMaxMs: 12.25,
  errors: 0,
  srtpSent: 0,
  srtpAuthFailures: 0,
};
const withRtp = { ...plain, rtp };
const facts = { version: '0', parameters: {}, endReason: 'done', exitCode: 0 };

test("--json: an rtp object with the issue's fields when the run has media, none otherwise", () => {
  const j = JSON.parse(jsonReport(withRtp, sc, facts, [])) as { rtp: RtpTotals };
  assert.deepEqual(j.rtp, rtp);
  assert.equal('rtp' in (JSON.parse(jsonReport(plain, sc, facts, [])) as object), false);
});

test('summary and live screen: RTP figures, the MOS labelled an estimate', () => {
  const summary = formatSummary(withRtp, sc, 'Run');
  assert.match(summary, /Packets lost\s*│ 10/);
  assert.match(summary, /MOS \(estimate, G\.107\)\s*│ 4\.12/);
  assert.match(summary, /Send lateness p99 \/ max \(ms\)\s*│ 1\.5 \/ 12\.25/);
  assert.doesNotMatch(formatSummary(plain, sc, 'Run'), /RTP media/);
  assert.doesNotMatch(summary, /SRTP/, 'no SRTP rows for a plain-RTP run');
  const srtp = formatSummary({ ...withRtp, rtp: { ...rtp, srtpSent: 480, srtpAuthFailures: 3 } }, sc, 'Run');
  assert.match(srtp, /SRTP packets sent\s*│ 480/);
  assert.match(srtp, /SRTP auth failures \(dropped\)\s*│ 3/);
  const screen = scenarioScreen(withRtp, {
    scenario: sc,
    currentRate: 1,
    ratePeriodMs: 1000,
    paused: false,
    local: 'l',
    remote: 'r',
    startEpochMs: 0,
    variables: () => [],
  });
  assert.match(screen, /RTP: 500 sent, 490 received, 10 lost, jitter p50\/p99 0\.5\/2\.25 ms, MOS 4\.12 \(estimate\)/);
});

test("stat file: RTP columns after all of SIPp's when the scenario has media (periodic and cumulative counts), none otherwise", () => {
  const dir = mkdtempSync(join(tmpdir(), 'sipts-media-stat-'));
  const plainFile = new StatFile(join(dir, 'plain.csv'), sc, 0, () => 10);
  assert.ok(!plainFile.header().some((c) => c.startsWith('Rtp')));
  const f = new StatFile(join(dir, 'media.csv'), { ...sc, hasMedia: true }, 0, () => 10);
  const head = f.header();
  const sippCols = plainFile.header().length;
  assert.deepEqual(head.slice(0, sippCols), plainFile.header());
  assert.deepEqual(head.slice(sippCols), [
    'RtpPacketsSent(P)',
    'RtpPacketsSent(C)',
    'RtpPacketsReceived(P)',
    'RtpPacketsReceived(C)',
    'RtpPacketsLost(P)',
    'RtpPacketsLost(C)',
    'RtpJitterP50Ms(C)',
    'RtpJitterP99Ms(C)',
    'RtpMosEstimate(C)',
    'RtpEchoed(P)',
    'RtpEchoed(C)',
  ]);
  f.write({ ...withRtp, rtp: { ...rtp, packetsSent: 200, packetsReceived: 190, packetsLost: 4 } }, 1000);
  const row = f.row(withRtp, 2000);
  assert.equal(row.length, head.length);
  // Period: 500 - 200 sent, 490 - 190 received, 10 - 4 lost since the last row.
  assert.deepEqual(row.slice(sippCols), ['300', '500', '300', '490', '6', '10', '0.5', '2.25', '4.12', '0', '0']);
});

test('--max-rtp-loss and --max-jitter: judged on the rtp figures (10 lost of 500 expected is 2 %); no RTP measured fails them', () => {
  const c = buildConfig({ sn: 'uac', 'max-rtp-loss': '1.5', 'max-jitter': '3' }, ['127.0.0.1:5060']);
  assert.deepEqual([c.thresholds.maxRtpLossPercent, c.thresholds.maxJitterMs], [1.5, 3]);
  assert.deepEqual(
    judge(c.thresholds, withRtp).map((r) => [r.name, r.value, r.ok]),
    [
      ['max-rtp-loss', '2 %', false],
      ['max-jitter (RTP p99)', '2.25 ms', true],
    ],
  );
  assert.deepEqual(
    judge({ ...c.thresholds, maxRtpLossPercent: 2 }, withRtp).map((r) => r.ok),
    [true, true],
  );
  assert.deepEqual(
    judge(c.thresholds, plain).map((r) => [r.value, r.ok]),
    [
      ['no RTP received', false],
      ['no RTP received', false],
    ],
  );
});

test('Prometheus: RTP packets, jitter quantiles (seconds) and the MOS estimate when the run has media', () => {
  const m = renderMetrics(withRtp, sc, 10);
  assert.match(m, /^sipts_rtp_packets_total\{what="lost"\} 10$/m);
  assert.match(m, /^sipts_rtp_jitter_seconds\{quantile="0.99"\} 0.00225$/m);
  assert.match(m, /^sipts_rtp_mos_estimate 4.12$/m);
  assert.match(m, /^sipts_rtp_send_lateness_seconds\{quantile="0.99"\} 0.0015$/m);
  assert.doesNotMatch(renderMetrics(plain, sc, 10), /sipts_rtp_/);
});

test('HTML report: an RTP media table, the MOS labelled an estimate, when the run has media', () => {
  const page = (snapshot: typeof plain): string =>
    htmlReport({ title: 't', scenario: sc, snapshot, timeline: [], ladders: [], verdicts: [], facts });
  const html = page(withRtp);
  assert.match(html, /<h2>RTP media<\/h2>/);
  assert.match(html, /<td>packets lost<\/td><td>10<\/td>/);
  assert.match(html, /<td>MOS \(estimate, ITU-T G.107\)<\/td><td>4.12<\/td>/);
  assert.doesNotMatch(page(plain), /RTP media/);
});
