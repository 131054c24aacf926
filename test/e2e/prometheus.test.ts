/**
 * /metrics against a run whose outcome is known by construction: a peer written here fails one call in four with
 * 486 and answers the others' INVITE after 150 ms. The failure counters by reason, the response-time summary and
 * the call-length summary must say so.
 */
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { test } from 'node:test';
import { headerLine, responseTo, sipts, waitForOutput, loopbackUac } from '../helpers.js';

const DELAY_MS = 150;
/**
 * Calls the peer answers; it ignores the one after, whose INVITE is retransmitted for 32 s (timer B), keeping the
 * run (and /metrics) up while the test reads.
 */
const ANSWERED = 40;

/** Reads one sample of a Prometheus text page. */
function sample(page: string, name: string): number {
  const m = new RegExp(`^${name.replace(/[{}"=.]/g, (c) => `\\${c}`)} (\\S+)$`, 'm').exec(page);
  if (m === null) throw new Error(`no ${name} in /metrics:\n${page}`);
  return Number(m[1]);
}

test(
  '/metrics: failures by reason, response-time and call-length summaries match a run built to have them',
  { timeout: 60_000 },
  async (t) => {
    const peer = dgram.createSocket('udp4');
    t.after(() => peer.close());
    const callNumber = new Map<string, number>();
    const timers = new Set<NodeJS.Timeout>();
    t.after(() => {
      for (const x of timers) clearTimeout(x);
    });
    peer.on('message', (b, from) => {
      const m = b.toString('latin1');
      const reply = (text: string): void => peer.send(Buffer.from(text, 'latin1'), from.port, from.address);
      const contact = `Contact: <sip:peer@127.0.0.1:${peer.address().port}>\r\n`;
      if (m.startsWith('INVITE ')) {
        const callId = headerLine(m, 'Call-ID');
        if (!/;tag=/.test(headerLine(m, 'To')) && !callNumber.has(callId)) {
          const n = callNumber.size + 1;
          callNumber.set(callId, n);
          if (n > ANSWERED) return;
          // Every fourth call: 486 at once; the others: 200 OK after DELAY_MS.
          if (n % 4 === 0) {
            reply(responseTo(m, '486 Busy Here', `p${n}`));
            return;
          }
          const x = setTimeout(() => {
            timers.delete(x);
            reply(responseTo(m, '200 OK', `p${n}`, contact));
          }, DELAY_MS);
          timers.add(x);
        }
      } else if (m.startsWith('BYE ') || m.startsWith('CANCEL ')) {
        reply(responseTo(m, '200 OK', 'bye'));
      }
    });
    await new Promise<void>((r) => peer.bind(0, '127.0.0.1', () => r()));
    const uac = sipts([
      ...loopbackUac(peer.address().port),
      '-cp',
      '0',
      '-r',
      '20',
      '-m',
      String(ANSWERED + 1),
      '--prometheus',
      '127.0.0.1:0',
    ]);
    t.after(() => uac.child.kill('SIGKILL'));
    let seen = '';
    uac.child.stderr?.on('data', (d: Buffer) => {
      seen += d.toString();
    });
    await waitForOutput(uac.child, /Prometheus metrics on http:\/\/\S+\/metrics/);
    const url = /Prometheus metrics on (http:\/\/\S+\/metrics)/.exec(seen)?.[1] ?? '';
    // Wait until the answered calls have all ended, the last one still open.
    let page = '';
    for (let i = 0; i < 300; i++) {
      page = await (await fetch(url)).text();
      if (sample(page, 'sipts_successful_calls_total') + sample(page, 'sipts_failed_calls_total') >= ANSWERED) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const busy = ANSWERED / 4;
    assert.equal(sample(page, 'sipts_successful_calls_total'), ANSWERED - busy, page);
    assert.equal(sample(page, 'sipts_failed_calls_total'), busy);
    // Failures by SIPp's reason: all of them unexpected messages (the 486 where a 200 was expected).
    assert.equal(sample(page, 'sipts_failed_calls_by_reason_total{reason="FailedUnexpectedMessage"}'), busy);
    const reasons = [...page.matchAll(/^sipts_failed_calls_by_reason_total\{reason="(\w+)"\} (\d+)$/gm)];
    assert.ok(reasons.length > 5, 'every reason is listed');
    for (const [, reason, n] of reasons) if (reason !== 'FailedUnexpectedMessage') assert.equal(n, '0', `${reason}`);
    assert.equal(sample(page, 'sipts_open_calls'), 1, 'the unanswered call');
    // Response time 1 (INVITE → 200): one per successful call, each DELAY_MS and a little.
    const rt = 'sipts_response_time_seconds';
    assert.equal(sample(page, `${rt}_count{rtd="1"}`), ANSWERED - busy);
    for (const q of ['0.5', '0.9', '0.99', '0.999']) {
      const v = sample(page, `${rt}{rtd="1",quantile="${q}"}`);
      assert.ok(v >= DELAY_MS / 1000 && v < DELAY_MS / 1000 + 0.15, `quantile ${q}: ${v} s`);
    }
    const mean = sample(page, `${rt}_sum{rtd="1"}`) / (ANSWERED - busy);
    assert.ok(mean >= DELAY_MS / 1000 && mean < DELAY_MS / 1000 + 0.15, `mean ${mean} s`);
    // Call length: every ended call, the failed ones too; the successful ones lasted at least DELAY_MS.
    assert.equal(sample(page, 'sipts_call_length_seconds_count'), ANSWERED);
    assert.ok(sample(page, 'sipts_call_length_seconds{quantile="0.5"}') >= DELAY_MS / 1000, 'most calls waited for their 200');
    assert.ok(sample(page, 'sipts_call_length_seconds_sum') >= ((ANSWERED - busy) * DELAY_MS) / 1000);
  },
);
