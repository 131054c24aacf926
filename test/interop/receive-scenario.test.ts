/**
 * SIPp 3.7's mixed mode, -rxsf/-rxsn/-rxinf: a sipts run places calls with its main scenario at a SIPp uas
 * and, on the same port, answers a SIPp uac's calls with the receive scenario, which reads -rxinf. The
 * installed SIPp is 3.6.1, which has no mixed mode, so only the peers are SIPp here.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { announcedPort, freePort, sipp, sippAvailable, sipts, startSippUas } from '../helpers.js';

const skip = sippAvailable() ? false : 'sipp is not installed (apt-get install sip-tester)';
const count = (text: string, label: string): number[] =>
  [...text.matchAll(new RegExp(`${label}\\s*│\\s*(\\d+)`, 'g'))].map((m) => Number(m[1]));

test(
  "sipts -sn uac -rxsf (a uas reading -rxinf): places its calls and answers SIPp's, 0 failed on every side",
  { skip, timeout: 60_000 },
  async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'sipts-rx-'));
    // The built-in uas, answering with a header from the -rxinf file.
    const uas = (await sipts(['-sd', 'uas']).exited).stdout.replace(/(SIP\/2\.0 200 OK\s*\n)/, '$1      X-Rx: [field0]\n');
    assert.match(uas, /X-Rx: \[field0\]/);
    const rxsf = join(dir, 'rx.xml');
    writeFileSync(rxsf, uas);
    const rxinf = join(dir, 'rx.csv');
    writeFileSync(rxinf, 'SEQUENTIAL\nalice\nbob\n');
    const far = await startSippUas(dir);
    t.after(() => far.child.kill('SIGKILL'));
    const mixed = sipts(
      [
        `127.0.0.1:${far.port}`,
        '-sn',
        'uac',
        '-rxsf',
        rxsf,
        '-rxinf',
        rxinf,
        '-i',
        '127.0.0.1',
        '-p',
        '0',
        '-m',
        '3',
        '-r',
        '5',
        '-d',
        '1500',
        '-nostdin',
        '-cp',
        '0',
      ],
      30_000,
      dir,
    );
    t.after(() => mixed.child.kill('SIGKILL'));
    const port = await announcedPort(mixed.child);
    const peer = await sipp(
      [`127.0.0.1:${port}`, '-sn', 'uac', '-i', '127.0.0.1', '-p', String(await freePort()), '-m', '4', '-r', '10', '-trace_msg'],
      30_000,
      dir,
    ).exited;
    assert.equal(peer.code, 0, peer.stdout.slice(-2000));
    const r = await mixed.exited;
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.deepEqual(count(r.stdout, 'Created'), [3, 4], 'its own 3 calls, then the 4 it answered');
    assert.deepEqual(count(r.stdout, 'Successful'), [3, 4]);
    assert.match(r.stdout, /receive scenario/);
    const log = readdirSync(dir).find((f) => /^uac_\d+_messages\.log$/.test(f));
    assert.ok(log, readdirSync(dir).join(', '));
    const seen = [...readFileSync(join(dir, log), 'latin1').matchAll(/^X-Rx: (\w+)/gm)].map((m) => m[1]);
    assert.deepEqual([...new Set(seen)].sort(), ['alice', 'bob'], 'the receive scenario read its -rxinf lines in turn');
  },
);

test('-rxsn beside a main scenario that answers calls, or a receive scenario that places them, is refused', async () => {
  const a = await sipts(['-sn', 'uas', '-rxsn', 'uas', '-i', '127.0.0.1', '-p', '0', '-m', '1']).exited;
  assert.equal(a.code, 255);
  assert.match(a.stderr, /-rxsn uas: the main scenario \(-sf\/-sn\) must place calls/);
  const b = await sipts(['127.0.0.1:9', '-sn', 'uac', '-rxsn', 'uac', '-i', '127.0.0.1', '-p', '0', '-m', '1']).exited;
  assert.equal(b.code, 255);
  assert.match(b.stderr, /-rxsn uac: a receive scenario answers calls/);
});
