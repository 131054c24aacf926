import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { freePort, ROOT, sipts, startSiptsUas, waitForOutput, loopbackUac } from '../helpers.js';

test('-h lists SIPp-style options; -v prints the version', async () => {
  const h = await sipts(['-h']).exited;
  assert.equal(h.code, 0);
  assert.match(h.stdout, /-sn <name>/);
  assert.match(h.stdout, /-max_retrans <n>/);
  assert.match(h.stdout, /Call rate:/);
  const none = await sipts([]).exited;
  assert.equal(none.code, 0);
  assert.match(none.stdout, /^Usage: sipts \[remote_host\[:port\]\] \[options\]/);
  const v = await sipts(['-v']).exited;
  assert.equal(v.code, 0);
  assert.match(v.stdout, /^sipts v\d+\.\d+\.\d+/);
});

test('-sd prints a built-in scenario as it is shipped', async () => {
  const r = await sipts(['-sd', 'uac']).exited;
  assert.equal(r.code, 0);
  assert.equal(r.stdout, readFileSync(join(ROOT, 'scenarios/uac.xml'), 'utf8'));
  const bad = await sipts(['-sd', 'nope']).exited;
  assert.equal(bad.code, 255);
  assert.match(bad.stderr, /no such built-in scenario.*\buac, .*\buas\b/);
});

test('an unknown option or a bad value: one line naming it and the expected form, exit 255', async () => {
  const u = await sipts(['-sn', 'uac', '-frobnicate', '127.0.0.1']).exited;
  assert.equal(u.code, 255);
  assert.equal(u.stderr, 'sipts: unknown option -frobnicate (sipts -h lists the options)\n');
  const b = await sipts(['-sn', 'uac', '-r', 'fast', '-rp', 'often', '127.0.0.1']).exited;
  assert.equal(b.code, 255);
  assert.deepEqual(b.stderr.trim().split('\n'), [
    'sipts: -r fast: expected a number ≥ 0, e.g. 10 or 0.5',
    'sipts: -rp often: expected a time: a number of milliseconds, or with a unit (500ms, 2s, 1m)',
  ]);
  const m = await sipts(['-sn']).exited;
  assert.equal(m.code, 255);
  assert.match(m.stderr, /^sipts: option -sn needs a value: -sn <name>\n$/);
});

test('a broken scenario: every problem with file:line:col, exit 255, nothing sent', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sipts-'));
  const file = join(dir, 'broken.xml');
  writeFileSync(
    file,
    [
      '<?xml version="1.0"?>',
      '<scenario name="broken">',
      '  <send retrans="soon">',
      '    <![CDATA[',
      '      OPTIONS sip:[service]@[remote_ip] SIP/2.0',
      '    ]]>',
      '  </send>',
      '  <recv response="200" next="nowhere">',
      '  <pause milliseconds="10"/>',
      '</scenario>',
    ].join('\n'),
  );
  const r = await sipts(['-sf', file, '127.0.0.1:9']).exited;
  assert.equal(r.code, 255);
  const errors = r.stderr.split('\n').filter((l) => l.includes(': error: '));
  const expected = [
    'F:3:9: error: retrans="soon" is not a',
    'F:8:3: error: <recv> is never closed',
    'F:8:24: error: label "nowhere" is not defined',
  ];
  assert.equal(errors.length, expected.length, r.stderr);
  errors.forEach((l, i) => assert.ok(l.replace(file, 'F').startsWith(expected[i] ?? ''), l));
});

test('a port in use: exit 254', async (t) => {
  const s = dgram.createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  t.after(() => s.close());
  const r = await sipts(['-sn', 'uas', '-i', '127.0.0.1', '-p', String(s.address().port)]).exited;
  assert.equal(r.code, 254);
  assert.match(r.stderr, /cannot bind UDP 127\.0\.0\.1:\d+/);
});

test('the seed command lines, verbatim, against each other; SIGINT stops gracefully with a summary', { timeout: 60_000 }, async (t) => {
  const uas = sipts(['-sn', 'uas', '-i', '127.0.0.1', '-p', '5077']);
  t.after(() => uas.child.kill('SIGKILL'));
  await waitForOutput(uas.child, /answering on 127\.0\.0\.1:5077/);
  const uac = sipts(['-sn', 'uac', '127.0.0.1:5077', '-i', '127.0.0.1', '-p', '5078', '-r', '50', '-rp', '1000']);
  t.after(() => uac.child.kill('SIGKILL'));
  // Until the progress line (every 2 s without a TTY) has counted 100 successful calls.
  await waitForOutput(uac.child, /sipts uac: \d+ created, \d+ open, [1-9]\d{2,} successful/, 20_000);
  uac.child.kill('SIGINT');
  const u = await uac.exited;
  assert.equal(u.code, 0, u.stderr);
  const ok = Number(/Successful\s*│\s*(\d+)/.exec(u.stdout)?.[1]);
  assert.ok(ok >= 100, `successful calls: ${ok}`);
  assert.match(u.stdout, /Failed\s*│\s*0\s/);
  assert.match(u.stderr, /\[\d+\.\ds\] sipts uac: \d+ created/, 'progress line without a TTY');
  assert.ok(!(u.stderr + u.stdout).includes('\u001b['), 'no cursor codes without a TTY');
  uas.child.kill('SIGINT');
  const s = await uas.exited;
  assert.equal(s.code, 0, s.stderr);
  assert.equal(Number(/Successful\s*│\s*(\d+)/.exec(s.stdout)?.[1]), ok, 'the UAS answered every call the UAC made');
});

test('the peer is killed mid-run: no hang, failures with their reason, exit 1', { timeout: 60_000 }, async (t) => {
  const { port, child: uasChild } = await startSiptsUas();
  const uas = { child: uasChild };
  t.after(() => uas.child.kill('SIGKILL'));
  const uac = sipts([...loopbackUac(port), '-r', '100', '-m', '300', '-d', '500', '-max_retrans', '2']);
  t.after(() => uac.child.kill('SIGKILL'));
  // Once some calls have succeeded (the first progress line, at 2 s, while calls are still being made until 3 s).
  await waitForOutput(uac.child, /sipts uac: \d+ created, \d+ open, [1-9]\d* successful/);
  uas.child.kill('SIGKILL');
  const u = await uac.exited;
  assert.equal(u.code, 1, u.stderr);
  assert.match(u.stdout, /FailedMaxUDPRetrans\s*│\s*\d+/);
  const created = Number(/Created\s*│\s*(\d+)/.exec(u.stdout)?.[1]);
  const ok = Number(/Successful\s*│\s*(\d+)/.exec(u.stdout)?.[1]);
  const failed = Number(/Failed\s*│\s*(\d+)/.exec(u.stdout)?.[1]);
  assert.equal(created, 300);
  assert.ok(ok > 0 && failed > 0 && ok + failed === 300, `${ok} + ${failed}`);
});

test('-timeout ends the run and aborts open calls: exit 1, the summary says so', { timeout: 20_000 }, async () => {
  const port = await freePort();
  const r = await sipts(['-sn', 'uac', `127.0.0.1:${port}`, '-i', '127.0.0.1', '-p', '0', '-r', '10', '-timeout', '1500ms']).exited;
  assert.equal(r.code, 1);
  assert.match(r.stdout, /^sipts timeout/m);
  const created = Number(/Created\s*│\s*(\d+)/.exec(r.stdout)?.[1]);
  assert.ok(created >= 14 && created <= 17, `created ${created}`);
  assert.match(r.stdout, new RegExp(`Aborted at end of run\\s*│\\s*${created}\\s`));
});

test('injection file problems: every one with file:line, exit 255, before any call', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sipts-inf-'));
  const scenario = join(dir, 'reg.xml');
  writeFileSync(scenario, '<scenario><send><![CDATA[\nREGISTER sip:x SIP/2.0\nX: [field0] [field1 file="b.csv"]\n]]></send></scenario>\n');
  writeFileSync(join(dir, 'a.csv'), 'SEQUENTIAL\nalice\n');
  writeFileSync(join(dir, 'b.csv'), 'SEQUENTIAL\nx;y\nonly-one\n');
  const r = await sipts([
    '-sf',
    scenario,
    '127.0.0.1:9',
    '-inf',
    join(dir, 'a.csv'),
    '-inf',
    join(dir, 'b.csv'),
    '-inf',
    join(dir, 'missing.csv'),
  ]).exited;
  assert.equal(r.code, 255);
  const errors = r.stderr
    .split('\n')
    .filter((l) => l.includes(': error: '))
    .map((l) => l.replaceAll(`${dir}/`, ''));
  assert.deepEqual(
    errors,
    [
      'b.csv:3:1: error: this line has 1 field, but the scenario reads [field1]',
      'missing.csv:1:1: error: -inf ' + join(dir, 'missing.csv').replace(`${dir}/`, '') + ': cannot read the injection file (ENOENT)',
    ].map((e) => e),
  );
  const none = await sipts(['-sf', scenario, '127.0.0.1:9']).exited;
  assert.equal(none.code, 255);
  assert.match(none.stderr, /reg\.xml:3:4: error: the scenario reads \[field0\] but no injection file was given/);
});

test("-tdmmap caps open calls at the circuits there are; [tdmmap] names the call's circuit", { timeout: 30_000 }, async (t) => {
  const uas = await startSiptsUas(['-m', '6']);
  t.after(() => uas.child.kill('SIGKILL'));
  const dir = mkdtempSync(join(tmpdir(), 'sipts-tdm-'));
  const scenario = join(dir, 'tdm.xml');
  writeFileSync(
    scenario,
    readFileSync(join(ROOT, 'scenarios/uac.xml'), 'utf8').replace('Subject: sipts basic call', 'X-Circuit: [tdmmap]'),
  );
  const messages = join(dir, 'messages.log');
  const r = await sipts([
    '-sf',
    scenario,
    `127.0.0.1:${uas.port}`,
    '-i',
    '127.0.0.1',
    '-p',
    '0',
    '-tdmmap',
    '{0-0}{7}{0-0}{1-2}',
    '-r',
    '20',
    '-m',
    '6',
    '-d',
    '300',
    '-message_file',
    messages,
  ]).exited;
  assert.equal(r.code, 0, r.stderr + r.stdout);
  assert.match(r.stdout, /Successful\s*│\s*6\s/);
  assert.ok(Number(/Refused by -l\s*│\s*(\d+)/.exec(r.stdout)?.[1]) > 0, 'with two circuits, starts are refused while both are in use');
  // {x 0-0}{h 7}{y 0-0}{z 1-2}: two circuits, x.h.y/z by SIPp's naming: 0.7.0/1 and 0.7.0/2; six calls take turns.
  const circuits = [...readFileSync(messages, 'utf8').matchAll(/^INVITE [^]*?^X-Circuit: (.*)$/gm)].map((m) => m[1]);
  assert.equal(circuits.length, 6, 'each INVITE sent once, with its circuit');
  assert.deepEqual([...new Set(circuits)].sort(), ['0.7.0/1', '0.7.0/2']);
  const bad = await sipts(['-sn', 'uac', '127.0.0.1:9', '-tdmmap', 'nonsense']).exited;
  assert.equal(bad.code, 255);
  assert.match(bad.stderr, /-tdmmap nonsense: expected \{x-range\}\{h\}\{y-range\}\{z-range\}/);
});
