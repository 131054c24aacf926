/**
 * Exit codes against SIPp's for the same command line: a script that reads SIPp's code reads sipts's the same.
 * Each case runs sipp and sipts alike and compares their codes, so the oracle is the installed SIPp, not a table.
 */
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { freePort, sipp, sippAvailable, sipts, type Exited } from '../helpers.js';

const skip = sippAvailable() ? false : 'sipp is not installed (apt-get install sip-tester)';
const work = mkdtempSync(join(tmpdir(), 'sipts-exit-'));

/** Runs `args` through both tools (each on its own free ports), in turn. */
async function both(
  args: (ports: { p: number; cp: number }) => readonly string[],
  during?: (cp: number) => Promise<void>,
): Promise<{ sipp: Exited; sipts: Exited }> {
  const out: Exited[] = [];
  for (const tool of [sipp, sipts]) {
    const ports = { p: await freePort(), cp: await freePort() };
    const r = tool([...args(ports)], 20_000, work);
    if (during !== undefined) await during(ports.cp);
    out.push(await r.exited);
  }
  const [a, b] = out;
  assert.ok(a && b);
  return { sipp: a, sipts: b };
}

test('-timeout before any call: the same code as SIPp (97)', { skip, timeout: 60_000 }, async () => {
  const r = await both(({ p, cp }) => ['-sn', 'uas', '-i', '127.0.0.1', '-p', String(p), '-cp', String(cp), '-timeout', '1']);
  assert.equal(r.sipp.code, 97, `SIPp: ${r.sipp.stderr.slice(-300)}`);
  assert.equal(r.sipts.code, r.sipp.code, r.sipts.stderr);
});

test('a UAS stopped by q on the control port before any call: the same code as SIPp (0)', { skip, timeout: 60_000 }, async () => {
  const sock = dgram.createSocket('udp4');
  try {
    const r = await both(
      ({ p, cp }) => ['-sn', 'uas', '-i', '127.0.0.1', '-p', String(p), '-cp', String(cp)],
      async (cp) => {
        // Both tools open their control port within a second; q is sent until the process has ended.
        for (let i = 0; i < 10; i++) {
          await new Promise((res) => setTimeout(res, 500));
          sock.send('q', cp, '127.0.0.1');
        }
      },
    );
    assert.equal(r.sipp.code, 0, `SIPp: ${r.sipp.stderr.slice(-300)}`);
    assert.equal(r.sipts.code, r.sipp.code, r.sipts.stderr);
  } finally {
    sock.close();
  }
});
