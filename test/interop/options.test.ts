/**
 * The built-in `options` scenario (-sn options, an OPTIONS ping per call, RFC 3261 §11) against real peers that
 * answer OPTIONS: a SIPp 3.6.1 scenario written here, directly and through Kamailio as a proxy. SIPp's built-in
 * uas does not answer OPTIONS, so the scenario is ours.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { countersOf, csvRows, kamailioAvailable, sippAvailable, sipts, startKamailio, startSippScenario } from '../helpers.js';
import { answer200 } from '../scenario-snippets.js';

const noSipp = sippAvailable() ? false : 'sipp is not installed (apt-get install sip-tester)';
const noKamailio = kamailioAvailable() ? false : 'kamailio is not installed (apt-get install kamailio)';
const work = mkdtempSync(join(tmpdir(), 'sipts-options-'));

/** A SIPp server scenario that answers each OPTIONS with 200 OK, copying the Vias (so it answers through a proxy too). */
const ANSWER_OPTIONS = `<?xml version="1.0"?>
<scenario name="answer options">
  <recv request="OPTIONS"/>
  ${answer200(['Allow: INVITE, ACK, BYE, CANCEL, OPTIONS'], ';tag=[pid]sippts[call_number]')}
</scenario>
`;

const CALLS = 200;

/** Starts SIPp with ANSWER_OPTIONS, counting per step (-trace_counts every second). */
async function optionsPeer(t: TestContext, name: string): Promise<{ port: number; dir: string }> {
  const dir = mkdtempSync(join(work, `${name}-`));
  const scenario = join(dir, 'answer.xml');
  writeFileSync(scenario, ANSWER_OPTIONS);
  const peer = await startSippScenario(scenario, ['-trace_counts', '-fd', '1'], dir, 120_000);
  t.after(() => peer.child.kill('SIGKILL'));
  return { port: peer.port, dir };
}

/** What SIPp's counts file says it received and sent, once it has counted `n` OPTIONS (it writes every second). */
async function sippCounts(dir: string, n: number): Promise<Record<string, string>> {
  let row: Record<string, string> = {};
  for (let i = 0; i < 60; i++) {
    const file = readdirSync(dir).find((f) => f.endsWith('_counts.csv'));
    row = file === undefined ? {} : (csvRows(join(dir, file)).at(-1) ?? {});
    if (Number(row['0_OPTIONS_Recv'] ?? 0) >= n) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return row;
}

async function ping(target: string, dir: string): Promise<Record<string, number>> {
  const json = join(dir, 'uac.json');
  const r = await sipts(
    ['-sn', 'options', target, '-i', '127.0.0.1', '-p', '0', '-cp', '0', '-r', '200', '-m', String(CALLS), '--json', json],
    60_000,
    dir,
  ).exited;
  assert.equal(r.code, 0, r.stderr + r.stdout.slice(-2000));
  return countersOf(json);
}

test(
  `sipts -sn options against a SIPp scenario answering OPTIONS: ${CALLS} pings, each answered, SIPp counts them`,
  { skip: noSipp, timeout: 60_000 },
  async (t) => {
    const peer = await optionsPeer(t, 'direct');
    const c = await ping(`127.0.0.1:${peer.port}`, peer.dir);
    assert.equal(c['SuccessfulCalls'], CALLS, JSON.stringify(c));
    assert.equal(c['FailedCalls'], 0);
    const row = await sippCounts(peer.dir, CALLS);
    assert.equal(row['0_OPTIONS_Recv'], String(CALLS), JSON.stringify(row));
    assert.equal(row['1_200_Sent'], String(CALLS));
    assert.equal(row['0_OPTIONS_Unexp'] ?? '0', '0');
  },
);

test(
  `sipts -sn options through Kamailio (record-route, relay) to the SIPp scenario: ${CALLS} pings answered`,
  { skip: noSipp || noKamailio, timeout: 60_000 },
  async (t) => {
    const peer = await optionsPeer(t, 'proxied');
    const kam = await startKamailio(peer.dir, peer.port);
    t.after(kam.stop);
    const c = await ping(`127.0.0.1:${kam.port}`, peer.dir);
    assert.equal(c['SuccessfulCalls'], CALLS, JSON.stringify(c));
    const row = await sippCounts(peer.dir, CALLS);
    assert.equal(row['0_OPTIONS_Recv'], String(CALLS), 'every OPTIONS reached SIPp through the proxy');
  },
);
