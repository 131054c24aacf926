/**
 * Prometheus text exposition (format 0.0.4) of a snapshot, and a small HTTP server for /metrics.
 * Counters end in _total; response times and call length are summaries in seconds with quantiles.
 */
import { createServer, type Server } from 'node:http';
import { TRANSPORT_ERROR_KINDS } from '../events/transport-error.js';
import { FAILURE_REASONS } from '../events/outcome.js';
import type { CompiledScenario } from '../scenario/compile.js';
import { SATURATION_KINDS, type SaturationReport } from '../stats/saturation.js';
import { COUNTERS, STEP_COUNTERS, type CounterName, type HistogramSummary, type StatsSnapshot } from '../stats/stats.js';

const esc = (v: string): string => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
const snake = (name: string): string => name.replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase();

/** The Prometheus name of each run counter. */
export const METRIC_OF: Readonly<Record<CounterName, string>> = Object.fromEntries(
  COUNTERS.map((c) => [c, `sipts_${snake(c)}_total`]),
) as Record<CounterName, string>;

export function renderMetrics(s: StatsSnapshot, scenario: CompiledScenario, targetRate: number, saturation?: SaturationReport): string {
  const out: string[] = [];
  const metric = (name: string, type: 'counter' | 'gauge' | 'summary', help: string, samples: readonly string[]): void => {
    out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, ...samples);
  };
  for (const c of COUNTERS) metric(METRIC_OF[c], 'counter', `SIPp's ${c} counter.`, [`${METRIC_OF[c]} ${s.counters[c]}`]);
  metric('sipts_open_calls', 'gauge', 'Calls open now.', [`sipts_open_calls ${s.openCalls}`]);
  metric('sipts_target_rate', 'gauge', 'Calls started per rate period, as set now.', [`sipts_target_rate ${targetRate}`]);
  metric('sipts_elapsed_seconds', 'gauge', 'Time since the run started.', [`sipts_elapsed_seconds ${s.elapsedMs / 1000}`]);
  metric(
    'sipts_failed_calls_by_reason_total',
    'counter',
    'Failed calls by SIPp failure reason.',
    FAILURE_REASONS.map((r) => `sipts_failed_calls_by_reason_total{reason="${r}"} ${s.failures[r]}`),
  );
  metric(
    'sipts_transport_errors_total',
    'counter',
    'Transport errors by kind (their sum is sipts_send_errors_total).',
    TRANSPORT_ERROR_KINDS.map((k) => `sipts_transport_errors_total{kind="${k}"} ${s.transportErrors[k]}`),
  );
  if (saturation !== undefined) {
    metric('sipts_saturated', 'gauge', '1 once sipts itself limits the run: from then on the figures measure sipts, not the server.', [
      `sipts_saturated ${saturation.saturated ? 1 : 0}`,
    ]);
    metric(
      'sipts_saturation_crossed',
      'gauge',
      '1 once this signal of the saturation watch crossed its threshold.',
      SATURATION_KINDS.map((k) => `sipts_saturation_crossed{what="${k}"} ${saturation.signals[k].crossed ? 1 : 0}`),
    );
    metric(
      'sipts_receive_drops_total',
      'counter',
      `Datagrams the kernel dropped, receive buffer full (${saturation.receiveDrops.scope === 'system' ? 'system-wide count' : "sipts's sockets"}).`,
      [`sipts_receive_drops_total ${saturation.receiveDrops.count}`],
    );
  }
  const steps: string[] = [];
  scenario.steps.forEach((st, i) => {
    const n = s.steps[i];
    if (n === undefined) return;
    for (const c of STEP_COUNTERS)
      steps.push(`sipts_step_messages_total{step="${i}",title="${esc(st.title.trim())}",counter="${c}"} ${n[c]}`);
  });
  metric('sipts_step_messages_total', 'counter', 'Messages per scenario step: sent, recv, retrans, timeouts, unexpected, lost.', steps);
  metric(
    'sipts_unexpected_messages_total',
    'counter',
    'Messages that ended calls as unexpected, by kind.',
    Object.entries(s.unexpected).map(([k, v]) => `sipts_unexpected_messages_total{kind="${esc(k)}"} ${v}`),
  );
  const summary = (name: string, labels: string, h: HistogramSummary, sumMs: number): string[] => {
    const l = (q: string): string => `{${labels}${labels === '' ? '' : ','}quantile="${q}"}`;
    return [
      `${name}${l('0.5')} ${h.p50Ms / 1000}`,
      `${name}${l('0.9')} ${h.p90Ms / 1000}`,
      `${name}${l('0.99')} ${h.p99Ms / 1000}`,
      `${name}${l('0.999')} ${h.p999Ms / 1000}`,
      `${name}_sum${labels === '' ? '' : `{${labels}}`} ${sumMs / 1000}`,
      `${name}_count${labels === '' ? '' : `{${labels}}`} ${h.count}`,
    ];
  };
  metric(
    'sipts_response_time_seconds',
    'summary',
    'Response times (rtd), by name.',
    s.rtd.flatMap((r, i) => summary('sipts_response_time_seconds', `rtd="${esc(r.name)}"`, r.summary, s.rtdMoments[i]?.sumMs ?? 0)),
  );
  metric(
    'sipts_call_length_seconds',
    'summary',
    'Length of ended calls.',
    summary('sipts_call_length_seconds', '', s.callLength, s.callLengthMoments.sumMs),
  );
  const r = s.rtp;
  if (r !== undefined) {
    metric(
      'sipts_rtp_packets_total',
      'counter',
      "RTP packets of the calls' media: sent, received (RFC 3550 A.1), lost (A.3), echoed; sent as SRTP, and SRTP dropped for failing authentication (RFC 3711).",
      [
        `sipts_rtp_packets_total{what="sent"} ${r.packetsSent}`,
        `sipts_rtp_packets_total{what="received"} ${r.packetsReceived}`,
        `sipts_rtp_packets_total{what="lost"} ${r.packetsLost}`,
        `sipts_rtp_packets_total{what="echoed"} ${r.echoed}`,
        `sipts_rtp_packets_total{what="srtp_sent"} ${r.srtpSent}`,
        `sipts_rtp_packets_total{what="srtp_auth_failed"} ${r.srtpAuthFailures}`,
      ],
    );
    metric('sipts_rtp_jitter_seconds', 'gauge', 'RTP interarrival jitter (RFC 3550 A.8), percentiles over calls.', [
      `sipts_rtp_jitter_seconds{quantile="0.5"} ${r.jitterP50Ms / 1000}`,
      `sipts_rtp_jitter_seconds{quantile="0.99"} ${r.jitterP99Ms / 1000}`,
    ]);
    metric('sipts_rtp_send_lateness_seconds', 'gauge', "sipts's own RTP send lateness (sent - due): p99 and max over every packet.", [
      `sipts_rtp_send_lateness_seconds{quantile="0.99"} ${r.sendLatenessP99Ms / 1000}`,
      `sipts_rtp_send_lateness_seconds{quantile="1"} ${r.sendLatenessMaxMs / 1000}`,
    ]);
    metric(
      'sipts_rtp_mos_estimate',
      'gauge',
      'Estimated MOS (ITU-T G.107 E-model, G.711) from loss and jitter: an estimate, not a listening test; 0 before any RTP.',
      [`sipts_rtp_mos_estimate ${r.mos}`],
    );
  }
  return `${out.join('\n')}\n`;
}

/** Serves GET /metrics; resolves once listening (rejects when the address cannot be bound). */
export function serveMetrics(host: string, port: number, render: () => string): Promise<Server> {
  const server = createServer((req, res) => {
    if (req.method === 'GET' && (req.url === '/metrics' || req.url?.startsWith('/metrics?') === true)) {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
      res.end(render());
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('sipts serves /metrics only\n');
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      server.unref();
      resolve(server);
    });
  });
}
