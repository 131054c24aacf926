/**
 * Issue 7: transports beyond UDP. sipts over TCP against SIPp both ways (-t t1 and tn), TLS and WebSocket
 * between sipts UAC and UAS (Debian's SIPp is built without TLS and SIPp has no WebSocket), WebSocket
 * into Kamailio's websocket module, IPv6 loopback, and connection trouble counted rather than crashing.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import dgram from 'node:dgram';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  countersOf,
  freePort,
  selfSigned as makeSelfSigned,
  kamailioAvailable,
  ROOT,
  sipp,
  sippAvailable,
  sipts,
  startKamailio,
  startSippUas,
  startSiptsUas,
  waitForOutput,
} from '../helpers.js';

const noSipp = sippAvailable() ? false : 'sipp is not installed (apt-get install sip-tester)';
const work = mkdtempSync(join(tmpdir(), 'sipts-transports-'));
const CALLS = 1000;
/** SIPp refuses -t tn while -max_socket (default 50,000) exceeds the open-file limit; 1,000 is plenty here. */
const SIPP_TN = ['-max_socket', '1000'];

/** A self-signed certificate and key for loopback, made for this run. */
const selfSigned = (name: string): { cert: string; key: string } => makeSelfSigned(work, name);

const uac = (target: string, json: string, extra: readonly string[]): string[] => [
  '-sn',
  'uac',
  target,
  '-i',
  '127.0.0.1',
  '-p',
  '0',
  '-r',
  '500',
  '-m',
  String(CALLS),
  '--json',
  json,
  ...extra,
];

/** sipts UAS, then sipts UAC, both with `extra`; both must count every call successful. */
async function siptsPair(
  name: string,
  uacExtra: readonly string[],
  uasExtra: readonly string[] = uacExtra,
  host = '127.0.0.1',
): Promise<void> {
  const uasJson = join(work, `${name}-uas.json`);
  const uacJson = join(work, `${name}-uac.json`);
  const uas = await startSiptsUas(['-m', String(CALLS), '--json', uasJson, ...uasExtra]);
  try {
    const target = host.includes(':') ? `[${host}]:${uas.port}` : `${host}:${uas.port}`;
    const r = await sipts(uac(target, uacJson, uacExtra), 60_000).exited;
    assert.equal(r.code, 0, r.stderr + r.stdout.slice(-2000));
    const u = await uas.exited;
    assert.equal(u.code, 0, u.stderr + u.stdout.slice(-2000));
    for (const [side, c] of [
      ['UAC', countersOf(uacJson)],
      ['UAS', countersOf(uasJson)],
    ] as const) {
      assert.equal(c['SuccessfulCalls'], CALLS, `${side}: ${JSON.stringify(c)}`);
      assert.equal(c['FailedCalls'], 0, side);
      assert.equal(c['Retransmissions'], 0, `${side}: no retransmission over a reliable transport (RFC 3261 §17.1.1.2)`);
    }
  } finally {
    uas.child.kill('SIGKILL');
  }
}

for (const mode of ['t1', 'tn'] as const) {
  test(`sipts -t ${mode} UAC → sipp -t ${mode} -sn uas: ${CALLS} calls, 0 failed`, { skip: noSipp, timeout: 90_000 }, async (t) => {
    const dir = mkdtempSync(join(work, `sipp-uas-${mode}-`));
    const { port, child } = await startSippUas(dir, 'uas', ['-t', mode, ...SIPP_TN]);
    t.after(() => child.kill('SIGKILL'));
    const json = join(dir, 'uac.json');
    const r = await sipts(uac(`127.0.0.1:${port}`, json, ['-t', mode]), 60_000).exited;
    assert.equal(r.code, 0, r.stderr + r.stdout.slice(-2000));
    const c = countersOf(json);
    assert.equal(c['SuccessfulCalls'], CALLS, JSON.stringify(c));
    assert.equal(c['FailedCalls'], 0);
  });

  test(
    `sipp -t ${mode} -sn uac → sipts -t ${mode} UAS: ${CALLS} calls, 0 failed on either side`,
    { skip: noSipp, timeout: 90_000 },
    async (t) => {
      const dir = mkdtempSync(join(work, `sipp-uac-${mode}-`));
      const json = join(dir, 'uas.json');
      const uas = await startSiptsUas(['-t', mode, '-m', String(CALLS), '--json', json]);
      t.after(() => uas.child.kill('SIGKILL'));
      const r = await sipp(
        [
          '-sn',
          'uac',
          `127.0.0.1:${uas.port}`,
          '-t',
          mode,
          ...SIPP_TN,
          '-i',
          '127.0.0.1',
          '-p',
          String(await freePort()),
          '-r',
          '500',
          '-m',
          String(CALLS),
        ],
        60_000,
        dir,
      ).exited;
      assert.equal(r.code, 0, `SIPp: ${r.stdout.slice(-1500)}`);
      assert.match(r.stdout, new RegExp(`Successful call\\s*\\|\\s*\\d+\\s*\\|\\s*${CALLS}\\b`));
      const u = await uas.exited;
      assert.equal(u.code, 0, u.stdout.slice(-2000));
      assert.equal(countersOf(json)['SuccessfulCalls'], CALLS);
    },
  );
}

test(
  '-trace_msg over TCP: each message is headed "TCP message sent/received", as SIPp heads its own',
  { skip: noSipp, timeout: 60_000 },
  async (t) => {
    const dir = mkdtempSync(join(work, 'trace-tcp-'));
    const sippLog = join(dir, 'sipp-messages.log');
    const { port, child } = await startSippUas(dir, 'uas', ['-t', 't1', '-trace_msg', '-message_file', sippLog]);
    t.after(() => child.kill('SIGKILL'));
    const ourLog = join(dir, 'sipts-messages.log');
    const r = await sipts(
      [
        '-sn',
        'uac',
        `127.0.0.1:${port}`,
        '-t',
        't1',
        '-i',
        '127.0.0.1',
        '-p',
        '0',
        '-r',
        '10',
        '-m',
        '3',
        '-trace_msg',
        '-message_file',
        ourLog,
      ],
      30_000,
    ).exited;
    assert.equal(r.code, 0, r.stderr + r.stdout.slice(-2000));
    // SIPp writes its message trace out as it ends.
    const ended = new Promise((res) => child.once('exit', res));
    child.kill('SIGTERM');
    await ended;
    const headings = (file: string): string[] =>
      [
        ...new Set(
          [...readFileSync(file, 'latin1').matchAll(/^(\w+) message (sent|received)/gm)].map((m) => `${m[1] ?? ''} ${m[2] ?? ''}`),
        ),
      ].sort();
    assert.deepEqual(headings(sippLog), ['TCP received', 'TCP sent'], 'SIPp, the oracle');
    assert.deepEqual(headings(ourLog), headings(sippLog));
  },
);

/** Debian's SIPp 3.6.1 is built without OpenSSL: it refuses -t l1 ("you must compile SIPp with OpenSSL"). */
/** Whether the installed SIPp was built with TLS (Debian's sip-tester 3.6.1 is not: "compile SIPp with OpenSSL"). */
function sippHasTls(): boolean {
  if (noSipp !== false) return false;
  const r = spawnSync('sipp', ['-sn', 'uas', '-t', 'l1', '-i', '127.0.0.1', '-p', '0', '-m', '1', '-timeout', '1s', '-nostdin'], {
    encoding: 'utf8',
    timeout: 10_000,
    cwd: work,
  });
  return !/compile SIPp with OpenSSL/.test(`${r.stdout}${r.stderr}`);
}

// Only with a SIPp that has TLS; without one (Debian's), -t l1 and ln are tested between sipts UAC and UAS and
// through Kamailio's tls module below, and no test is skipped for it.
if (sippHasTls()) {
  test('sipts -t l1 UAC against sipp -t l1 -sn uas', { timeout: 120_000 }, async (t) => {
    const { cert, key } = selfSigned('sipp');
    const dir = mkdtempSync(join(work, 'sipp-tls-'));
    const { port, child } = await startSippUas(dir, 'uas', ['-t', 'l1', '-tls_cert', cert, '-tls_key', key]);
    t.after(() => child.kill('SIGKILL'));
    const json = join(dir, 'uac.json');
    const r = await sipts(uac(`127.0.0.1:${port}`, json, ['-t', 'l1']), 60_000).exited;
    assert.equal(r.code, 0, r.stderr + r.stdout.slice(-2000));
  });
}

for (const mode of ['l1', 'ln'] as const) {
  test(
    `sipts -t ${mode} UAC ↔ UAS with a self-signed pair, the UAC checking it with -tls_ca: ${CALLS} calls`,
    { timeout: 90_000 },
    async () => {
      const { cert, key } = selfSigned(`tls-${mode}`);
      await siptsPair(`tls-${mode}`, ['-t', mode, '-tls_ca', cert], ['-t', mode, '-tls_cert', cert, '-tls_key', key]);
    },
  );
}

/** A CA, a server certificate it signed, and a CRL of that CA revoking it (openssl ca), in `dir`. */
function revokedServer(dir: string): { ca: string; cert: string; key: string; crl: string } {
  const o = (args: string[]): void => {
    execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
  };
  o([
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'ca-key.pem',
    '-out',
    'ca.pem',
    '-days',
    '2',
    '-subj',
    '/CN=sipts test CA',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=keyCertSign,cRLSign,digitalSignature',
  ]);
  o(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'srv-key.pem', '-out', 'srv.csr', '-subj', '/CN=127.0.0.1']);
  writeFileSync(join(dir, 'san.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  o([
    'x509',
    '-req',
    '-in',
    'srv.csr',
    '-CA',
    'ca.pem',
    '-CAkey',
    'ca-key.pem',
    '-CAcreateserial',
    '-out',
    'srv.pem',
    '-days',
    '2',
    '-extfile',
    'san.ext',
  ]);
  writeFileSync(join(dir, 'index.txt'), '');
  writeFileSync(join(dir, 'crlnumber'), '01\n');
  writeFileSync(
    join(dir, 'ca.cnf'),
    '[ ca ]\ndefault_ca = test\n[ test ]\ndatabase = index.txt\ncrlnumber = crlnumber\ndefault_md = sha256\ndefault_crl_days = 2\n',
  );
  o(['ca', '-config', 'ca.cnf', '-keyfile', 'ca-key.pem', '-cert', 'ca.pem', '-revoke', 'srv.pem']);
  o(['ca', '-config', 'ca.cnf', '-keyfile', 'ca-key.pem', '-cert', 'ca.pem', '-gencrl', '-out', 'crl.pem']);
  return { ca: join(dir, 'ca.pem'), cert: join(dir, 'srv.pem'), key: join(dir, 'srv-key.pem'), crl: join(dir, 'crl.pem') };
}

test(
  'TLS -tls_crl (issue 16): a certificate the CA vouches for but its CRL revokes opens no connection; without the CRL it does',
  { timeout: 60_000 },
  async (t) => {
    const p = revokedServer(mkdtempSync(join(work, 'crl-')));
    const uas = await startSiptsUas(['-t', 'l1', '-tls_cert', p.cert, '-tls_key', p.key]);
    t.after(() => uas.child.kill('SIGKILL'));
    const [trusted, revoked] = await Promise.all([
      sipts(uac(`127.0.0.1:${uas.port}`, join(work, 'crl-ok.json'), ['-t', 'l1', '-tls_ca', p.ca, '-m', '1']), 20_000).exited,
      sipts(
        uac(`127.0.0.1:${uas.port}`, join(work, 'crl-revoked.json'), ['-t', 'l1', '-tls_ca', p.ca, '-tls_crl', p.crl, '-m', '1']),
        20_000,
      ).exited,
    ]);
    assert.equal(trusted.code, 0, trusted.stderr);
    assert.equal(revoked.code, 255);
    assert.match(revoked.stderr, /cannot open a TLS connection to 127\.0\.0\.1:\d+: certificate revoked/);
  },
);

test(
  'TLS -tls_ca to an IP address: the certificate is checked against that address (RFC 5922 §7.1), not "localhost"',
  { timeout: 60_000 },
  async (t) => {
    const make = (name: string, san: string): { cert: string; key: string } => {
      const cert = join(work, `${name}-cert.pem`);
      const key = join(work, `${name}-key.pem`);
      execFileSync(
        'openssl',
        [
          'req',
          '-x509',
          '-newkey',
          'rsa:2048',
          '-nodes',
          '-keyout',
          key,
          '-out',
          cert,
          '-days',
          '2',
          '-subj',
          `/CN=${name}`,
          '-addext',
          `subjectAltName=${san}`,
        ],
        { stdio: 'ignore' },
      );
      return { cert, key };
    };
    for (const [name, san, ok] of [
      ['ip-only', 'IP:127.0.0.1', true],
      ['name-only', 'DNS:localhost', false],
    ] as const) {
      const p = make(name, san);
      const uas = await startSiptsUas(['-t', 'l1', '-tls_cert', p.cert, '-tls_key', p.key]);
      t.after(() => uas.child.kill('SIGKILL'));
      const r = await sipts(uac(`127.0.0.1:${uas.port}`, join(work, `${name}.json`), ['-t', 'l1', '-tls_ca', p.cert, '-m', '1']), 20_000)
        .exited;
      // openssl's own check is the oracle: does the certificate name 127.0.0.1?
      const named = spawnSync('openssl', ['x509', '-in', p.cert, '-noout', '-checkip', '127.0.0.1'], { encoding: 'utf8' }).stdout.includes(
        'does match',
      );
      assert.equal(named, ok, `openssl: ${name}`);
      if (ok) assert.equal(r.code, 0, r.stderr + r.stdout.slice(-1500));
      else {
        assert.equal(r.code, 255, r.stderr + r.stdout.slice(-1500));
        assert.match(r.stderr + r.stdout, /127\.0\.0\.1|IP|altnames/i);
      }
    }
  },
);

test(
  "TLS: a UAC whose -tls_ca does not vouch for the UAS's certificate opens no connection (exit 255, named)",
  { timeout: 30_000 },
  async (t) => {
    const server = selfSigned('server');
    const other = selfSigned('other');
    const uas = await startSiptsUas(['-t', 'l1', '-tls_cert', server.cert, '-tls_key', server.key]);
    t.after(() => uas.child.kill('SIGKILL'));
    const r = await sipts(uac(`127.0.0.1:${uas.port}`, join(work, 'tls-bad.json'), ['-t', 'l1', '-tls_ca', other.cert, '-m', '1']), 20_000)
      .exited;
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /cannot open a TLS connection to 127\.0\.0\.1:\d+: .*(self.signed|certificate)/i);
  },
);

test('a TLS UAS without a certificate says which file is missing and how to make one', { timeout: 20_000 }, async () => {
  const r = await sipts(
    ['-sn', 'uas', '-t', 'l1', '-i', '127.0.0.1', '-p', '0', '-tls_cert', join(work, 'none.pem'), '-tls_key', join(work, 'none-key.pem')],
    10_000,
  ).exited;
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /-tls_cert .*none\.pem: no such file; -tls_key .*none-key\.pem: no such file/);
  assert.match(r.stderr, /openssl req -x509/);
});

for (const mode of ['ws1', 'wsn'] as const) {
  test(`sipts -t ${mode} (SIP over WebSocket, RFC 7118) UAC ↔ UAS: ${CALLS} calls`, { timeout: 90_000 }, async () => {
    await siptsPair(`ws-${mode}`, ['-t', mode]);
  });
}

test(`sipts -t wss1 (WebSocket over TLS) UAC ↔ UAS: ${CALLS} calls`, { timeout: 90_000 }, async () => {
  const { cert, key } = selfSigned('wss');
  await siptsPair('wss', ['-t', 'wss1', '-tls_ca', cert], ['-t', 'wss1', '-tls_cert', cert, '-tls_key', key]);
});

test('Via and Contact name the transport: SIP/2.0/TCP and SIP/2.0/WS in the messages sent', { timeout: 30_000 }, async () => {
  for (const [mode, name] of [
    ['t1', 'TCP'],
    ['ws1', 'WS'],
  ] as const) {
    const uas = await startSiptsUas(['-t', mode, '-m', '1']);
    const log = join(work, `via-${mode}.log`);
    const r = await sipts(
      ['-sn', 'uac', `127.0.0.1:${uas.port}`, '-t', mode, '-i', '127.0.0.1', '-p', '0', '-m', '1', '-trace_msg', '-message_file', log],
      20_000,
    ).exited;
    uas.child.kill('SIGKILL');
    assert.equal(r.code, 0, r.stderr);
    const trace = readFileSync(log, 'utf8');
    assert.match(trace, new RegExp(`^Via: SIP/2\\.0/${name} 127\\.0\\.0\\.1:\\d+;branch=`, 'm'));
    // The UAC's own INVITE, and the UAS's 200 as the UAC received it (RFC 3261 §8.1.1.8, §12.1.1).
    assert.match(trace, new RegExp(`^Contact: <sip:sipts@127\\.0\\.0\\.1:\\d+;transport=${name}>`, 'm'));
    assert.match(trace, new RegExp(`^SIP/2\\.0 200 OK[^]*?^Contact: <sip:127\\.0\\.0\\.1:${uas.port};transport=${name}>`, 'm'));
  }
});

const noKamailio = kamailioAvailable() ? false : 'kamailio is not installed (apt-get install kamailio kamailio-websocket-modules)';

/**
 * sipts UAC → Kamailio (a 407 challenge, record-route) → sipts UAS on UDP, CALLS calls; `via` picks
 * Kamailio's listener and the UAC's transport options.
 */
async function throughKamailio(
  t: { after: (f: () => void) => void },
  name: string,
  via: (kam: Awaited<ReturnType<typeof startKamailio>>) => { readonly port: number; readonly options: readonly string[] },
): Promise<void> {
  const dir = mkdtempSync(join(work, `kamailio-${name}-`));
  const uasJson = join(dir, 'uas.json');
  const uas = await startSiptsUas(['-m', String(CALLS), '--json', uasJson], 100_000);
  t.after(() => uas.child.kill('SIGKILL'));
  const kam = await startKamailio(dir, uas.port);
  t.after(kam.stop);
  const { port, options } = via(kam);
  await waitListening(port);
  const json = join(dir, 'uac.json');
  const caller = join(dir, 'caller.csv');
  writeFileSync(caller, 'SEQUENTIAL\nalice;pw-alice\n');
  const r = await sipts(
    [
      '-sf',
      join(ROOT, 'test/fixtures/uac-proxy-auth.xml'),
      `127.0.0.1:${port}`,
      ...options,
      '-i',
      '127.0.0.1',
      '-p',
      '0',
      '-inf',
      caller,
      '-r',
      '200',
      '-m',
      String(CALLS),
      '--json',
      json,
    ],
    90_000,
  ).exited;
  assert.equal(r.code, 0, r.stderr + r.stdout.slice(-2500));
  assert.equal(countersOf(json)['SuccessfulCalls'], CALLS);
  const u = await uas.exited;
  assert.equal(u.code, 0, u.stdout.slice(-2000));
  assert.equal(countersOf(uasJson)['SuccessfulCalls'], CALLS, 'every BYE reached the UAS through the route set');
}

test(
  `sipts -t ws1 through Kamailio's websocket module to a sipts UAS on UDP: 407 challenge, record-route, ${CALLS} calls`,
  { skip: noKamailio, timeout: 120_000 },
  async (t) => {
    await throughKamailio(t, 'ws', (kam) => ({ port: kam.wsPort, options: ['-t', 'ws1'] }));
  },
);

test(
  `sipts -t l1 through Kamailio's tls module to a sipts UAS on UDP, Kamailio's certificate checked with -tls_ca: ${CALLS} calls`,
  { skip: noKamailio, timeout: 120_000 },
  async (t) => {
    await throughKamailio(t, 'tls', (kam) => ({ port: kam.tlsPort, options: ['-t', 'l1', '-tls_ca', kam.tlsCert] }));
  },
);

/** Waits until something has bound UDP [::1]:`port` (our own bind of it fails). */
async function waitListening(port: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const ok = await new Promise<boolean>((r) => {
      const s = net.connect(port, '127.0.0.1', () => {
        s.destroy();
        r(true);
      });
      s.once('error', () => r(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`nothing listens on TCP ${port}`);
}

for (const mode of ['u1', 't1'] as const) {
  test(`IPv6 loopback: sipts -t ${mode} UAC → UAS on [::1]: ${CALLS} calls`, { timeout: 90_000 }, async () => {
    await siptsPair(`v6-${mode}`, ['-t', mode, '-i', '::1'], ['-t', mode, '-i', '::1'], '::1');
  });
}

test('IPv6: sipts UAC → sipp -sn uas on [::1]', { skip: noSipp, timeout: 90_000 }, async (t) => {
  const dir = mkdtempSync(join(work, 'sipp-v6-'));
  // Waits for SIPp's bind in the kernel's socket table, retrying on another port if SIPp could not bind: a probe
  // bind of our own (as here before) could take the port at the moment SIPp binds it, and SIPp then exits.
  const { port, child } = await startSippUas(dir, 'uas', [], '::1');
  t.after(() => child.kill('SIGKILL'));
  const json = join(dir, 'uac.json');
  const r = await sipts(['-sn', 'uac', `[::1]:${port}`, '-i', '::1', '-p', '0', '-r', '500', '-m', String(CALLS), '--json', json], 60_000)
    .exited;
  assert.equal(r.code, 0, r.stderr + r.stdout.slice(-2000));
  assert.equal(countersOf(json)['SuccessfulCalls'], CALLS);
});

test('-t t1 to a port where nothing listens: no run, the connection named (exit 255)', { timeout: 20_000 }, async () => {
  const port = await freePort();
  const r = await sipts(['-sn', 'uac', `127.0.0.1:${port}`, '-t', 't1', '-i', '127.0.0.1', '-p', '0', '-m', '1'], 10_000).exited;
  assert.equal(r.code, 255, r.stderr);
  assert.match(r.stderr, new RegExp(`cannot open a TCP connection to 127\\.0\\.0\\.1:${port}: .*ECONNREFUSED`));
});

test('-t tn to a port where nothing listens: every call fails as FailedTcpConnect, counted', { timeout: 20_000 }, async () => {
  const port = await freePort();
  const json = join(work, 'tn-refused.json');
  const r = await sipts(
    ['-sn', 'uac', `127.0.0.1:${port}`, '-t', 'tn', '-i', '127.0.0.1', '-p', '0', '-r', '50', '-m', '20', '--json', json],
    10_000,
  ).exited;
  assert.equal(r.code, 1, r.stderr + r.stdout);
  assert.equal(countersOf(json)['FailedCalls'], 20);
  assert.match(r.stdout, /FailedTcpConnect\s*│\s*20\b/);
});

test('the UAS going away mid-call: the open calls fail as FailedTcpClosed, the run ends', { timeout: 30_000 }, async () => {
  const uas = await startSiptsUas(['-t', 't1']);
  const json = join(work, 'closed.json');
  const run = sipts(
    ['-sn', 'uac', `127.0.0.1:${uas.port}`, '-t', 't1', '-i', '127.0.0.1', '-p', '0', '-r', '20', '-m', '10', '-d', '5000', '--json', json],
    20_000,
  );
  // Once the progress line shows the 10 calls open (in their 5-s pause).
  await waitForOutput(run.child, /sipts uac: 10 created, 10 open, 0 successful/);
  uas.child.kill('SIGKILL');
  const r = await run.exited;
  assert.equal(r.code, 1, r.stderr + r.stdout);
  assert.match(r.stdout, /FailedTcpClosed\s*│\s*10\b/);
});

test(
  '-max_reconnect: the UAS restarts mid-run; the shared connection is opened again and later calls succeed',
  { timeout: 60_000 },
  async (t) => {
    const port = await freePort();
    const first = await startSiptsUas(['-t', 't1', '-p', String(port)]);
    t.after(() => first.child.kill('SIGKILL'));
    const json = join(work, 'reconnect.json');
    const run = sipts(
      [
        '-sn',
        'uac',
        `127.0.0.1:${port}`,
        '-t',
        't1',
        '-i',
        '127.0.0.1',
        '-p',
        '0',
        '-r',
        '20',
        '-m',
        '100',
        '-d',
        '100',
        '-max_reconnect',
        '10',
        '-reconnect_sleep',
        '300',
        '--json',
        json,
      ],
      40_000,
    );
    // Once calls have succeeded over the first connection (the first progress line, at 2 s of the 5-s run).
    await waitForOutput(run.child, /sipts uac: \d+ created, \d+ open, [1-9]\d* successful/);
    first.child.kill('SIGKILL');
    const second = await startSiptsUas(['-t', 't1', '-p', String(port)]);
    t.after(() => second.child.kill('SIGKILL'));
    const r = await run.exited;
    const c = countersOf(json);
    assert.equal(r.code, 1, r.stderr + r.stdout.slice(-2000));
    assert.equal((c['SuccessfulCalls'] ?? 0) + (c['FailedCalls'] ?? 0), 100, JSON.stringify(c));
    assert.ok((c['SuccessfulCalls'] ?? 0) >= 60, `successful after reconnecting: ${JSON.stringify(c)}`);
    assert.doesNotMatch(r.stdout, /Failed(?!TcpClosed|TcpConnect|Calls)\w+\s*│\s*[1-9]/, 'only connection failures');
  },
);

test(
  '-t ui: each call sends from the address in its injection line (127.0.0.2-4), to sipp -sn uas: 300 calls, 0 failed',
  { skip: noSipp, timeout: 60_000 },
  async (t) => {
    const dir = mkdtempSync(join(work, 'ui-'));
    const log = join(dir, 'sipp-messages.log');
    const { port, child } = await startSippUas(dir, 'uas', ['-trace_msg', '-message_file', log]);
    t.after(() => child.kill('SIGKILL'));
    const inf = join(dir, 'ips.csv');
    writeFileSync(inf, 'SEQUENTIAL\n127.0.0.2;a\n127.0.0.3;b\n127.0.0.4;c\n');
    const json = join(dir, 'uac.json');
    const r = await sipts(
      ['-sn', 'uac', `127.0.0.1:${port}`, '-t', 'ui', '-inf', inf, '-i', '127.0.0.1', '-p', '0', '-r', '200', '-m', '300', '--json', json],
      30_000,
    ).exited;
    assert.equal(r.code, 0, r.stderr + r.stdout.slice(-2000));
    assert.equal(countersOf(json)['SuccessfulCalls'], 300);
    // SIPp writes its message trace out as it ends.
    const ended = new Promise((res) => child.once('exit', res));
    child.kill('SIGTERM');
    await ended;
    const vias = [...readFileSync(log, 'utf8').matchAll(/^Via: SIP\/2\.0\/UDP (127\.0\.0\.\d+):\d+;branch=z9hG4bK-\d+-(\d+)-0/gm)];
    const byCall = new Map(vias.map((m) => [Number(m[2]), m[1]]));
    assert.equal(byCall.size, 300);
    // SEQUENTIAL: call N takes line (N-1) mod 3.
    for (const [n, ip] of byCall) assert.equal(ip, `127.0.0.${2 + ((n - 1) % 3)}`, `call ${n}`);
  },
);

test('-t ui without -inf: refused, saying what to add', { timeout: 10_000 }, async () => {
  const r = await sipts(['-sn', 'uac', '127.0.0.1:5999', '-t', 'ui', '-m', '1'], 5_000).exited;
  assert.equal(r.code, 255);
  assert.match(r.stderr, /-t ui: .*add -inf FILE/);
});

test('-ci: the control port listens on the address given, and only there: q sent to it stops the run', { timeout: 20_000 }, async (t) => {
  const cp = await freePort();
  const uas = sipts(['-sn', 'uas', '-i', '127.0.0.1', '-p', '0', '-ci', '127.0.0.5', '-cp', String(cp), '-bind_local'], 15_000);
  t.after(() => uas.child.kill('SIGKILL'));
  let ended = false;
  void uas.exited.then(() => {
    ended = true;
  });
  await waitForOutput(uas.child, /control port 127\.0\.0\.5:\d+/);
  const sock = dgram.createSocket('udp4');
  t.after(() => sock.close());
  const send = (address: string): Promise<void> => new Promise((r) => sock.send('q', cp, address, () => r()));
  // The same port on 127.0.0.1 is not the control port: nothing listens there.
  await send('127.0.0.1');
  await new Promise((r) => setTimeout(r, 500));
  assert.equal(ended, false, 'a q sent to 127.0.0.1 stopped the run');
  await send('127.0.0.5');
  const r = await uas.exited;
  assert.equal(r.code, 0, `stopped by q with no call processed: SIPp 3.6.1's uas exits 0 so; ${r.stderr}`);
});
