/**
 * Issue 17: transport errors by kind as a user sees them: a line per kind in the end summary and in the
 * --json report, only for kinds that happened; and a peer that stops reading a TCP connection congests it,
 * which fails the calls whose sends do not fit (FailedOutboundCongestion, SIPp's counter for it).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { freeTcpPort, sipts } from '../helpers.js';

interface Report {
  counters: Record<string, number>;
  failures: Record<string, number>;
  transportErrors: Record<string, number>;
}
const report = (file: string): Report => JSON.parse(readFileSync(file, 'utf8')) as Report;

test('-t tn to a closed TCP port: the connect kind in the summary and the JSON report, no other kind', { timeout: 30_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sipts-wire-'));
  const port = await freeTcpPort(); // nothing listens there
  const json = join(dir, 'uac.json');
  const screens = join(dir, 'screens.log');
  const r = await sipts(
    [
      '-sn',
      'uac',
      `127.0.0.1:${port}`,
      '-t',
      'tn',
      '-i',
      '127.0.0.1',
      '-p',
      '0',
      '-r',
      '50',
      '-m',
      '5',
      '--json',
      json,
      '-screen_file',
      screens,
    ],
    20_000,
  ).exited;
  assert.equal(r.code, 1, r.stderr + r.stdout);
  const j = report(json);
  assert.deepEqual(j.transportErrors, { connect: 5 });
  assert.equal(j.counters['SendErrors'], 5, 'the total of every kind');
  assert.deepEqual(j.failures, { FailedTcpConnect: 5 });
  assert.match(r.stdout, /Transport errors\s*│\s*5\b/);
  assert.match(r.stdout, /Transport error\s*│\s*Count\s*│\s*Meaning/);
  assert.match(r.stdout, /│\s*connect\s*│\s*5\s*│\s*a connection could not be opened/);
  for (const kind of ['send', 'buffer', 'bind', 'closed', 'tls', 'framing', 'limit', 'congested']) {
    assert.doesNotMatch(r.stdout, new RegExp(`│\\s*${kind}\\s*│`), `no ${kind} row`);
  }
  // The failures screen (6) lists them too.
  assert.match(readFileSync(screens, 'utf8'), /Transport errors\n\s+5 {2}connect: a connection could not be opened/);
});

test(
  'a TCP peer that reads nothing: sends past the queue bound fail their calls as FailedOutboundCongestion, counted as congested',
  { timeout: 60_000 },
  async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'sipts-congest-'));
    const sockets: net.Socket[] = [];
    const server = net.createServer((s) => {
      s.pause();
      sockets.push(s);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    t.after(() => {
      for (const s of sockets) s.destroy();
      server.close();
    });
    const port = (server.address() as net.AddressInfo).port;
    // 60 kB a message, 600 calls: 36 MB, more than loopback's socket buffers (a few MB) and the 1 MiB queue.
    const scenario = join(dir, 'big.xml');
    writeFileSync(
      scenario,
      `<?xml version="1.0"?>
<scenario name="big">
  <send><![CDATA[
MESSAGE sip:[service]@[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: <sip:a@[local_ip]>;tag=[call_number]
To: <sip:[service]@[remote_ip]>
Call-ID: [call_id]
CSeq: 1 MESSAGE
Content-Type: text/plain
Content-Length: [len]

${'x'.repeat(60_000)}
]]></send>
  <recv response="200" timeout="1000"/>
</scenario>
`,
    );
    const json = join(dir, 'run.json');
    const r = await sipts(
      ['-sf', scenario, `127.0.0.1:${port}`, '-t', 't1', '-i', '127.0.0.1', '-p', '0', '-r', '600', '-m', '600', '--json', json],
      50_000,
    ).exited;
    assert.equal(r.code, 1, r.stderr.slice(-1500));
    const j = report(json);
    const congested = j.failures['FailedOutboundCongestion'] ?? 0;
    assert.ok(congested > 0, JSON.stringify(j.failures));
    // Each refused send is one congested error and one failed call; the others waited and timed out.
    assert.equal(j.transportErrors['congested'], congested);
    assert.equal(congested + (j.failures['FailedTimeoutOnRecv'] ?? 0), 600, JSON.stringify(j.failures));
    assert.match(r.stdout, /│\s*congested\s*│\s*\d+\s*│/);

    // SIPp compat (-send_timeout): a send that would block waits instead, and fails its call when the time
    // is up (FailedTimeoutOnSend); nothing is queued past the socket, so nothing is refused as congested.
    const waited = join(dir, 'waited.json');
    const w = await sipts(
      [
        '-sf',
        scenario,
        `127.0.0.1:${port}`,
        '-t',
        't1',
        '-i',
        '127.0.0.1',
        '-p',
        '0',
        '-r',
        '600',
        '-m',
        '600',
        '-send_timeout',
        '300',
        '--json',
        waited,
      ],
      50_000,
    ).exited;
    assert.equal(w.code, 1, w.stderr.slice(-1500));
    const k = report(waited);
    assert.ok((k.failures['FailedTimeoutOnSend'] ?? 0) > 0, JSON.stringify(k.failures));
    assert.equal(k.failures['FailedOutboundCongestion'], undefined, JSON.stringify(k.failures));
    assert.equal(k.transportErrors['congested'], undefined);
  },
);
