/**
 * Issue 16: -cid_str, -dynamicStart/-dynamicStep/-dynamicMax with [dynamic_id], -auth_uri and the ///
 * Call-ID prefix (-callid_slash_ign) against SIPp: the same scenario and options to both tools, each
 * against a raw registrar that challenges once; what reaches it is compared.
 */
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { headerLine, sipp, sippAvailable, sipts, type Exited } from '../helpers.js';

const work = mkdtempSync(join(tmpdir(), 'sipts-call-options-'));

function scenario(name: string, callId: string): string {
  const request = (cseq: number, extra: string): string => `
  <send retrans="500"><![CDATA[
    REGISTER sip:[remote_ip]:[remote_port] SIP/2.0
    Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
    From: <sip:[service]@[remote_ip]>;tag=[call_number]
    To: <sip:[service]@[remote_ip]>
    Call-ID: ${callId}
    CSeq: ${cseq} REGISTER
    ${extra}
    Contact: <sip:[service]@[local_ip]:[local_port]>
    Content-Length: 0
  ]]></send>`;
  const file = join(work, name);
  writeFileSync(
    file,
    `<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="${name}">${request(1, 'X-Dyn: [dynamic_id] [dynamic_id]')}
  <recv response="401" auth="true"/>${request(2, 'X-Dyn: [dynamic_id]\n    [authentication]')}
  <recv response="200"/>
</scenario>
`,
  );
  return file;
}

/** A registrar: 401 to a REGISTER without credentials, 200 to one with; every request kept. */
async function registrar(): Promise<{ port: number; requests: string[]; close: () => void }> {
  const socket = dgram.createSocket('udp4');
  const requests: string[] = [];
  socket.on('message', (b, from) => {
    const m = b.toString('latin1');
    requests.push(m);
    const status = /^Authorization:/m.test(m)
      ? '200 OK'
      : '401 Unauthorized\r\nWWW-Authenticate: Digest realm="r", nonce="n", algorithm=MD5';
    const h = (n: string): string => headerLine(m, n);
    socket.send(
      `SIP/2.0 ${status}\r\n${h('Via')}\r\n${h('From')}\r\n${h('To')};tag=t\r\n${h('Call-ID')}\r\n${h('CSeq')}\r\nContent-Length: 0\r\n\r\n`,
      from.port,
      from.address,
    );
  });
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
  return { port: socket.address().port, requests, close: () => socket.close() };
}

/** Runs SIPp and sipts with the same arguments, each against a registrar of its own. */
async function both(
  args: readonly string[],
): Promise<{ sipp: { run: Exited; pid: number; requests: string[] }; sipts: { run: Exited; pid: number; requests: string[] } }> {
  const [a, b] = [await registrar(), await registrar()];
  try {
    const x = sipp([`127.0.0.1:${a.port}`, '-i', '127.0.0.1', '-p', '0', ...args], 30_000, work);
    const y = sipts([`127.0.0.1:${b.port}`, '-i', '127.0.0.1', '-p', '0', '-cp', '0', '-nostdin', ...args], 30_000, work);
    const [rx, ry] = await Promise.all([x.exited, y.exited]);
    return {
      sipp: { run: rx, pid: x.child.pid ?? 0, requests: a.requests },
      sipts: { run: ry, pid: y.child.pid ?? 0, requests: b.requests },
    };
  } finally {
    a.close();
    b.close();
  }
}

/** The values a header took in the requests, with the process id made neutral. */
const values = (requests: readonly string[], name: string, pid: number): string[] =>
  requests.map((m) => headerLine(m, name).replaceAll(String(pid), 'PID')).filter((v) => v !== '');

test(
  "-cid_str, [dynamic_id] with -dynamicStart/-dynamicStep/-dynamicMax, and -auth_uri: what is sent is SIPp's",
  { skip: !sippAvailable(), timeout: 60_000 },
  async () => {
    const file = scenario('options.xml', '[call_id]');
    const r = await both([
      '-sf',
      file,
      '-m',
      '2',
      '-cid_str',
      'x%u-%p-%s-%%-%q@y',
      '-dynamicStart',
      '5',
      '-dynamicStep',
      '3',
      '-dynamicMax',
      '12',
      '-auth_uri',
      'forced.example',
    ]);
    assert.deepEqual([r.sipp.run.code, r.sipts.run.code], [0, 0], r.sipts.run.stderr);
    const ours = values(r.sipts.requests, 'Call-ID', r.sipts.pid);
    assert.deepEqual(ours, values(r.sipp.requests, 'Call-ID', r.sipp.pid));
    // Hand-checked: %u the call number, %p the pid, %s the local IP, %% and the unknown %q a %.
    assert.deepEqual(ours, [
      'Call-ID: x1-PID-127.0.0.1-%-%@y',
      'Call-ID: x1-PID-127.0.0.1-%-%@y',
      'Call-ID: x2-PID-127.0.0.1-%-%@y',
      'Call-ID: x2-PID-127.0.0.1-%-%@y',
    ]);
    // One counter for the run: 5, 8, 11, then past 12 back to 5.
    const dyn = values(r.sipts.requests, 'X-Dyn', 0);
    assert.deepEqual(dyn, values(r.sipp.requests, 'X-Dyn', 0));
    assert.deepEqual(dyn, ['X-Dyn: 5 8', 'X-Dyn: 11', 'X-Dyn: 5 8', 'X-Dyn: 11']);
    const uri = (requests: readonly string[]): string[] => requests.flatMap((m) => /uri="([^"]*)"/.exec(m)?.[1] ?? []);
    assert.deepEqual(uri(r.sipts.requests), ['sip:forced.example', 'sip:forced.example']);
    assert.deepEqual(uri(r.sipts.requests), uri(r.sipp.requests));
  },
);

test(
  'a Call-ID prefixed with /// still names the call; -callid_slash_ign turns that off, as in SIPp',
  { skip: !sippAvailable(), timeout: 60_000 },
  async () => {
    const file = scenario('slash.xml', 'pre///[call_id]');
    const plain = await both(['-sf', file, '-m', '1', '-timeout', '5']);
    assert.deepEqual([plain.sipp.run.code, plain.sipts.run.code], [0, 0], plain.sipts.run.stderr);
    assert.match(values(plain.sipts.requests, 'Call-ID', plain.sipts.pid)[0] ?? '', /^Call-ID: pre\/\/\/1-PID@127\.0\.0\.1$/);
    // Without the prefix rule the 401 names no call: the call times out waiting for it.
    const ignored = await both(['-sf', file, '-m', '1', '-timeout', '5', '-callid_slash_ign', '-recv_timeout', '1000']);
    assert.deepEqual([ignored.sipp.run.code, ignored.sipts.run.code], [1, 1]);
  },
);
