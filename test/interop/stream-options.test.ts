/**
 * Options of the stream transports, each checked on what crosses the wire: a TCP relay between UAC and UAS
 * counts the connections (-max_socket, -t wssn: TLS passes through it untouched) and can drop the UAC's
 * connection while keeping the UAS's (-reconnect_close false); a Node TLS server reports the protocol version
 * a -tls_version run negotiated. SIPp 3.6.1 is no oracle for these: see each test.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import tls from 'node:tls';
import { countersOf, selfSigned, sippAvailable, sipts, startSippUas, startSiptsUas } from '../helpers.js';

const noSipp = sippAvailable() ? false : 'sipp is not installed (apt-get install sip-tester)';
const work = mkdtempSync(join(tmpdir(), 'sipts-stream-options-'));

/**
 * A TCP relay on a free port to 127.0.0.1:`upstream`. `shared`: every client connection is relayed over one
 * upstream connection (so the UAC's connection can be dropped while the UAS keeps its own).
 */
class Relay {
  readonly server: net.Server;
  accepted = 0;
  open = 0;
  mostOpen = 0;
  /** Client bytes seen, for waiting on what was sent. */
  fromClient = '';
  private readonly clients = new Set<net.Socket>();
  private upstreamShared: net.Socket | undefined;
  private current: net.Socket | undefined;

  constructor(
    private readonly upstream: number,
    private readonly shared = false,
  ) {
    this.server = net.createServer((client) => this.accept(client));
  }

  async listen(): Promise<number> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', () => r()));
    const a = this.server.address();
    return typeof a === 'object' && a !== null ? a.port : 0;
  }

  private accept(client: net.Socket): void {
    this.accepted++;
    this.open++;
    this.mostOpen = Math.max(this.mostOpen, this.open);
    this.clients.add(client);
    client.on('close', () => {
      this.open--;
      this.clients.delete(client);
    });
    client.on('error', () => undefined);
    client.on('data', (d) => {
      this.fromClient += d.toString('latin1');
    });
    if (this.shared) {
      this.current = client;
      if (this.upstreamShared === undefined) {
        const up = net.connect(this.upstream, '127.0.0.1');
        up.on('error', () => undefined);
        up.on('data', (d) => this.current?.write(d));
        this.upstreamShared = up;
      }
      const up = this.upstreamShared;
      client.on('data', (d) => up.write(d));
      return;
    }
    const up = net.connect(this.upstream, '127.0.0.1');
    up.on('error', () => client.destroy());
    client.on('error', () => up.destroy());
    client.pipe(up);
    up.pipe(client);
    client.on('close', () => up.destroy());
    up.on('close', () => client.destroy());
  }

  /** Drops every client connection (the upstream one stays). */
  dropClients(): void {
    for (const c of this.clients) c.destroy();
  }

  close(): void {
    this.dropClients();
    this.upstreamShared?.destroy();
    this.server.close();
  }
}

async function until(what: string, ok: () => boolean, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * SIPp 3.6.1 is no oracle here: its own uac with -t tn -max_socket 3 against its own uas stops at once ("Broken
 * pipe on TCP connection", exit 255), with or without the relay. The bound is the option's: 3.
 */
test(
  '-t tn -max_socket 3 against sipp -t tn -sn uas: no more than 3 connections open at once, the calls share them and succeed',
  { skip: noSipp, timeout: 120_000 },
  async (t) => {
    const dir = mkdtempSync(join(work, 'max-socket-'));
    const uas = await startSippUas(dir, 'uas', ['-t', 'tn', '-max_socket', '1000']);
    t.after(() => uas.child.kill('SIGKILL'));
    const relay = new Relay(uas.port);
    t.after(() => relay.close());
    const json = join(dir, 'uac.json');
    // 40 calls of 1 s at 40 a second: about 40 open at once, so about 40 connections without the cap.
    const r = await sipts(
      [
        `127.0.0.1:${await relay.listen()}`,
        '-sn',
        'uac',
        '-t',
        'tn',
        '-max_socket',
        '3',
        '-i',
        '127.0.0.1',
        '-p',
        '0',
        '-cp',
        '0',
        '-r',
        '40',
        '-m',
        '40',
        '-d',
        '1000',
        '--json',
        json,
      ],
      60_000,
      dir,
    ).exited;
    assert.equal(r.code, 0, `${r.stderr.slice(-1000)}${r.stdout.slice(-2000)}`);
    assert.equal(countersOf(json)['SuccessfulCalls'], 40);
    assert.ok(relay.mostOpen <= 3, `${relay.mostOpen} connections open at once`);
    assert.ok(relay.accepted >= 3, `${relay.accepted} connections in all`);
  },
);

/**
 * Five calls of 3 s over one connection (-t t1) through a shared relay; once the five ACKs have crossed it, the
 * relay drops the UAC's connection. Returns the UAC's counters.
 */
async function dropMidCall(
  t: TestContext,
  uasPort: number,
  reconnectClose: 'true' | 'false',
): Promise<{ ok: number; failed: number; connections: number; out: string }> {
  const relay = new Relay(uasPort, true);
  t.after(() => relay.close());
  const target = `127.0.0.1:${await relay.listen()}`;
  const json = join(work, `reconnect-${reconnectClose}.json`);
  const args = [
    target,
    '-sn',
    'uac',
    '-t',
    't1',
    '-i',
    '127.0.0.1',
    '-r',
    '20',
    '-m',
    '5',
    '-d',
    '3000',
    '-max_reconnect',
    '3',
    '-reconnect_sleep',
    '200',
    '-reconnect_close',
    reconnectClose,
  ];
  const run = sipts([...args, '-p', '0', '-cp', '0', '--json', json], 60_000, work);
  await until('five ACKs sent', () => (relay.fromClient.match(/^ACK /gm)?.length ?? 0) >= 5);
  relay.dropClients();
  const r = await run.exited;
  relay.close();
  const out = `${r.stderr.slice(-1000)}${r.stdout.slice(-2500)}`;
  const c = countersOf(json);
  return { ok: c['SuccessfulCalls'] ?? 0, failed: c['FailedCalls'] ?? 0, connections: relay.accepted, out };
}

/**
 * SIPp 3.6.1's uac through the same relay with the same options (-reconnect_close false) fails some of its calls
 * (a BYE lost with the connection, counted as an unexpected message), so the oracle is the option's promise:
 * every call ends well, over a second connection.
 */
test(
  '-reconnect_close false: calls go on over the new connection after the peer closed the shared one; true (the default): they fail',
  { timeout: 120_000 },
  async (t) => {
    const uas = await startSiptsUas(['-t', 't1', '-cp', '0']);
    t.after(() => uas.child.kill('SIGKILL'));
    const goOn = await dropMidCall(t, uas.port, 'false');
    assert.deepEqual([goOn.ok, goOn.failed], [5, 0], goOn.out);
    assert.equal(goOn.connections, 2, 'the BYEs went over a second connection');
    const close = await dropMidCall(t, uas.port, 'true');
    assert.deepEqual([close.ok, close.failed], [0, 5], close.out);
    assert.match(close.out, /FailedTcpClosed\s*│\s*5\b/);
  },
);

test(
  '-tls_version 1.2 pins TLS 1.2 (a server that takes 1.2 and 1.3 reports it); without it, 1.3 is negotiated; 1.3 pins 1.3',
  { timeout: 60_000 },
  async (t) => {
    const { cert, key } = selfSigned(work, 'version');
    const versions: string[] = [];
    const server = tls.createServer(
      { cert: readFileSync(cert), key: readFileSync(key), minVersion: 'TLSv1.2', maxVersion: 'TLSv1.3' },
      (s) => {
        versions.push(s.getProtocol() ?? 'none');
        s.on('error', () => undefined);
        s.resume();
      },
    );
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    t.after(() => server.close());
    const a = server.address();
    const port = typeof a === 'object' && a !== null ? a.port : 0;
    for (const [option, expected] of [
      [['-tls_version', '1.2'], 'TLSv1.2'],
      [[], 'TLSv1.3'],
      [['-tls_version', '1.3'], 'TLSv1.3'],
    ] as const) {
      // One call that nobody answers: the connection is what is looked at.
      const r = await sipts(
        ['-sn', 'uac', `127.0.0.1:${port}`, '-t', 'l1', ...option, '-i', '127.0.0.1', '-p', '0', '-cp', '0', '-m', '1', '-timeout', '1s'],
        20_000,
      ).exited;
      assert.notEqual(r.code, 255, r.stderr);
      assert.deepEqual(versions.splice(0), [expected], `${option.join(' ') || 'no -tls_version'}: ${r.stderr.slice(-500)}`);
    }
  },
);

test('-t wssn: a WebSocket-over-TLS connection per call (counted by a relay), every call succeeds', { timeout: 90_000 }, async (t) => {
  const { cert, key } = selfSigned(work, 'wssn');
  const uasJson = join(work, 'wssn-uas.json');
  const uas = await startSiptsUas(['-t', 'wssn', '-tls_cert', cert, '-tls_key', key, '-m', '30', '--json', uasJson, '-cp', '0']);
  t.after(() => uas.child.kill('SIGKILL'));
  const relay = new Relay(uas.port);
  t.after(() => relay.close());
  const json = join(work, 'wssn-uac.json');
  const r = await sipts(
    [
      '-sn',
      'uac',
      `127.0.0.1:${await relay.listen()}`,
      '-t',
      'wssn',
      '-tls_ca',
      cert,
      '-i',
      '127.0.0.1',
      '-p',
      '0',
      '-cp',
      '0',
      '-r',
      '100',
      '-m',
      '30',
      '--json',
      json,
    ],
    60_000,
  ).exited;
  assert.equal(r.code, 0, r.stderr + r.stdout.slice(-2000));
  assert.equal(countersOf(json)['SuccessfulCalls'], 30);
  assert.equal(relay.accepted, 30, 'one connection per call');
  assert.equal((await uas.exited).code, 0);
  assert.equal(countersOf(uasJson)['SuccessfulCalls'], 30);
});
