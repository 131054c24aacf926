/** sipts against Kamailio 5.6 (Debian) as a registrar and as a proxy, on loopback. .ci/run installs it. */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { freePort, kamailioAvailable, loopbackBuiltin, ROOT, sipts, startKamailio, startSiptsUas } from '../helpers.js';

const skip = kamailioAvailable() ? false : 'kamailio is not installed (apt-get install kamailio)';
const work = mkdtempSync(join(tmpdir(), 'sipts-kamailio-'));
const count = (text: string, label: string): number => Number(new RegExp(`${label}\\s*│\\s*(\\d+)`).exec(text)?.[1]);

/** user;password lines; the registrar's password for user U is pw-U. */
function users(name: string, n: number, wrongLine = -1): string {
  const lines = ['SEQUENTIAL'];
  for (let i = 1; i <= n; i++)
    lines.push(`user${String(i).padStart(5, '0')};${i === wrongLine ? 'not-the-password' : `pw-user${String(i).padStart(5, '0')}`}`);
  const file = join(work, name);
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

test(
  'registrar stress: sipts -sn register -inf users.csv -r 500 -m 5000 registers every user (SHA-256 digest), exit 0',
  { skip, timeout: 120_000 },
  async (t) => {
    const kam = await startKamailio(work, await freePort());
    t.after(kam.stop);
    const r = await sipts([...loopbackBuiltin('register', kam.port), '-inf', users('users.csv', 5000), '-r', '500', '-m', '5000'], 100_000)
      .exited;
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.equal(count(r.stdout, 'Successful'), 5000);
    assert.equal(count(r.stdout, 'Failed'), 0);
  },
);

test(
  'a wrong password in one line: exactly that call fails, the 403 is counted, exit 1 (MD5 digest)',
  { skip, timeout: 60_000 },
  async (t) => {
    const kam = await startKamailio(work, await freePort(), 'MD5');
    t.after(kam.stop);
    const r = await sipts(
      [...loopbackBuiltin('register', kam.port), '-inf', users('one-wrong.csv', 200, 37), '-r', '200', '-m', '200'],
      50_000,
    ).exited;
    assert.equal(r.code, 1, r.stderr + r.stdout);
    assert.equal(count(r.stdout, 'Successful'), 199);
    assert.equal(count(r.stdout, 'Failed'), 1);
    assert.equal(count(r.stdout, 'FailedUnexpectedMessage'), 1);
    assert.match(r.stdout, /403 \(REGISTER\)\s*│\s*1\s/);
  },
);

test('-au/-ap without -inf: sipts -sn register registers that one user', { skip, timeout: 30_000 }, async (t) => {
  const kam = await startKamailio(work, await freePort());
  t.after(kam.stop);
  const r = await sipts([...loopbackBuiltin('register', kam.port), '-au', 'alice', '-ap', 'pw-alice', '-m', '1'], 20_000).exited;
  assert.equal(r.code, 0, r.stderr + r.stdout);
  assert.equal(count(r.stdout, 'Successful'), 1);
});

test(
  'a call through Kamailio as a proxy: 407 challenge, rrs="true" and [routes] to the sipts UAS',
  { skip, timeout: 60_000 },
  async (t) => {
    const uas = await startSiptsUas(['-m', '50'], 50_000);
    t.after(() => uas.child.kill('SIGKILL'));
    const kam = await startKamailio(work, uas.port);
    t.after(kam.stop);
    const r = await sipts(
      [
        '-sf',
        join(ROOT, 'test/fixtures/uac-proxy-auth.xml'),
        `127.0.0.1:${kam.port}`,
        '-i',
        '127.0.0.1',
        '-p',
        '0',
        '-inf',
        users('caller.csv', 1),
        '-r',
        '25',
        '-m',
        '50',
        '-d',
        '200',
      ],
      40_000,
    ).exited;
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.equal(count(r.stdout, 'Successful'), 50);
    const u = await uas.exited;
    assert.equal(u.code, 0, u.stdout);
    assert.equal(count(u.stdout, 'Successful'), 50, 'the BYE reached the UAS through the route set');
  },
);

test(
  '-rsa: calls go through Kamailio as the outbound proxy while the Request-URI names the UAS (issue 16)',
  { skip, timeout: 60_000 },
  async (t) => {
    const uas = await startSiptsUas(['-m', '5'], 50_000);
    t.after(() => uas.child.kill('SIGKILL'));
    const kam = await startKamailio(work, uas.port);
    t.after(kam.stop);
    // The remote host is the UAS itself; only the proxy challenges INVITEs, and the scenario needs that 407,
    // so a successful call went through the proxy.
    const r = await sipts(
      [
        '-sf',
        join(ROOT, 'test/fixtures/uac-proxy-auth.xml'),
        `127.0.0.1:${uas.port}`,
        '-rsa',
        `127.0.0.1:${kam.port}`,
        '-i',
        '127.0.0.1',
        '-p',
        '0',
        '-inf',
        users('rsa.csv', 1),
        '-r',
        '10',
        '-m',
        '5',
        '-trace_msg',
        '-message_file',
        join(work, 'rsa-messages.log'),
      ],
      40_000,
    ).exited;
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.equal(count(r.stdout, 'Successful'), 5);
    assert.match(r.stderr, new RegExp(`through 127\\.0\\.0\\.1:${kam.port} \\(-rsa\\)`));
    const log = readFileSync(join(work, 'rsa-messages.log'), 'utf8');
    assert.match(log, new RegExp(`INVITE sip:service@127\\.0\\.0\\.1:${uas.port} SIP/2\\.0`));
    const u = await uas.exited;
    assert.equal(count(u.stdout, 'Successful'), 5, 'the calls reached the UAS');
  },
);
