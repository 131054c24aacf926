import assert from 'node:assert/strict';
import { test } from 'node:test';
import { rewriteArgv } from '../../src/cli/argv.js';
import { buildConfig } from '../../src/cli/config.js';
import { engineConfig } from '../../src/cli/engine-config.js';
import { compileScenarioSource } from '../../src/scenario/compile.js';
import { env } from '../helpers.js';
import { UdpTransport } from '../../src/transport/udp-pool.js';

test('two-value options: -key and -set by name (last wins), every -infindex kept, even on one file', () => {
  const args = rewriteArgv(['-key', 'a', '1', '-key', 'a', '2', '-set', 'v', 'x', '-infindex', 'u.csv', '0', '-infindex', 'u.csv', '2']);
  const raw: Record<string, string[]> = {};
  for (let i = 0; i < args.length; i += 2) (raw[(args[i] ?? '').slice(2)] ??= []).push(args[i + 1] ?? '');
  const c = buildConfig(raw, []);
  assert.deepEqual(c.keys, { a: '2' });
  assert.deepEqual(c.globals, { v: 'x' });
  assert.deepEqual(c.injectionIndexes, [
    { file: 'u.csv', field: 0 },
    { file: 'u.csv', field: 2 },
  ]);
});

test('-buff_size sets both socket buffers (the kernel doubles what it is given, up to rmem_max/wmem_max)', async () => {
  assert.equal(buildConfig({ sn: 'uac' }, ['127.0.0.1:5060']).socketBufferBytes, 4 << 20);
  const c = buildConfig({ sn: 'uac', buff_size: '65536' }, ['127.0.0.1:5060']);
  assert.equal(c.socketBufferBytes, 65536);
  const none = {
    onMessage: () => undefined,
    onTransportError: () => undefined,
    onSocketLimit: () => undefined,
    onConnectionLost: () => undefined,
  };
  const t = await UdpTransport.open('127.0.0.1', [0], false, c.socketBufferBytes, none);
  try {
    const socket = t.main.socket;
    assert.equal(socket.getRecvBufferSize(), 2 * 65536);
    assert.equal(socket.getSendBufferSize(), 2 * 65536);
  } finally {
    await t.close();
  }
});

test('-lost fills in the loss of every <send> and <recv> without lost=; lost="0" stays 0 (SIPp\'s call::lost)', () => {
  const xml = `<?xml version="1.0"?>
<scenario name="loss">
  <send lost="0"><![CDATA[
    OPTIONS sip:x@[remote_ip] SIP/2.0
    Call-ID: [call_id]
    CSeq: 1 OPTIONS
    Content-Length: 0
  ]]></send>
  <recv response="200"/>
  <pause milliseconds="1"/>
  <recv request="BYE" lost="10"/>
</scenario>`;
  const scenario = compileScenarioSource('loss.xml', xml, env);
  const c = buildConfig({ sf: 'loss.xml', lost: '25' }, ['127.0.0.1:5060']);
  assert.deepEqual(
    engineConfig(c, scenario, undefined, 1).scenario.steps.map((s) => s.lostPercent),
    [0, 25, -1, 10],
  );
  assert.equal(engineConfig(buildConfig({ sf: 'loss.xml' }, ['127.0.0.1:5060']), scenario, undefined, 1).scenario, scenario);
  assert.throws(() => buildConfig({ sf: 'loss.xml', lost: '101' }, []), /-lost 101: expected a percentage from 0 to 100/);
});

test('-rate_interval defaults to -fd; -timeout_error, -rtcheck loose, -sleep in seconds', () => {
  const c = buildConfig({ sn: 'uac', rate_increase: '5', fd: '3', timeout_error: true, rtcheck: 'loose', sleep: '2' }, ['127.0.0.1']);
  assert.deepEqual(c.ramp, { increase: 5, intervalMs: 3000, max: 0, quitAtMax: true });
  assert.deepEqual([c.timeoutError, c.looseRetransCheck, c.sleepMs], [true, true, 2000]);
  assert.equal(
    buildConfig({ sn: 'uac', rate_increase: '5', rate_interval: '500ms', no_rate_quit: true, rate_max: '9' }, []).ramp?.intervalMs,
    500,
  );
  assert.equal(buildConfig({ sn: 'uac' }, []).ramp, undefined);
});

test('retransmission limits as SIPp 3.6.1 reads them (call.cpp: min(-max_invite_retrans or -max_non_invite_retrans, -max_retrans)); defaults 5 and 9', () => {
  const limits = (raw: Record<string, string>): [number, number] => {
    const c = buildConfig({ sn: 'uac', ...raw }, ['127.0.0.1:5060']);
    return [c.maxInviteRetrans, c.maxNonInviteRetrans];
  };
  // 9 for non-INVITE is what the installed SIPp does (test/interop/chance-and-t2.test.ts), though its -h says 7.
  assert.deepEqual(limits({}), [5, 9]);
  assert.deepEqual(limits({ max_retrans: '2' }), [2, 2]);
  // -max_retrans caps, it does not raise: SIPp's INVITE limit stays 5 under -max_retrans 7.
  assert.deepEqual(limits({ max_retrans: '7' }), [5, 7]);
  // And -max_retrans, 9 by default, caps the other two.
  assert.deepEqual(limits({ max_invite_retrans: '12', max_non_invite_retrans: '3' }), [9, 3]);
  assert.deepEqual(limits({ max_invite_retrans: '12', max_retrans: '20' }), [12, 9]);
});

test("media options: SIPp 3.6.1's defaults (-mb 2048 and -mp 6000 in its -h, -rtp_payload 8 in sipp.hpp), the 3.7 port range, errors all at once", () => {
  const d = buildConfig({ sn: 'uac' }, ['127.0.0.1:5060']);
  assert.deepEqual(d.media, {
    echo: false,
    echoBufferBytes: 2048,
    minPort: 6000,
    maxPort: 65535,
    rtpPayload: 8,
    socketBufferBytes: undefined,
  });
  assert.equal(d.mediaPort, 6000);
  const c = buildConfig(
    { sn: 'uas', rtp_echo: true, mb: '512', min_rtp_port: '20000', max_rtp_port: '20099', rtp_payload: '0', rtp_buffsize: '65536' },
    [],
  );
  assert.deepEqual(c.media, { echo: true, echoBufferBytes: 512, minPort: 20000, maxPort: 20099, rtpPayload: 0, socketBufferBytes: 65536 });
  // SIPp 3.7: -mp alone sets -min_rtp_port; with both given, each keeps its own; -mp 0 leaves the default.
  assert.equal(buildConfig({ sn: 'uac', mp: '30000' }, ['127.0.0.1:5060']).media.minPort, 30000);
  assert.equal(buildConfig({ sn: 'uac', mp: '30000', min_rtp_port: '8000' }, ['127.0.0.1:5060']).media.minPort, 8000);
  assert.equal(buildConfig({ sn: 'uac', mp: '0' }, ['127.0.0.1:5060']).media.minPort, 6000);
  // -cid_type takes SIPp's modes only, not what every object has.
  for (const mode of ['constructor', 'toString'])
    assert.throws(
      () => buildConfig({ sn: 'uac', cid_type: mode }, ['127.0.0.1:5060']),
      new RegExp(`-cid_type ${mode}: expected one of default`),
    );
  assert.throws(
    () => buildConfig({ sn: 'uas', rtp_payload: '128', min_rtp_port: '7000', max_rtp_port: '6000' }, []),
    (e: Error) => {
      assert.match(e.message, /-rtp_payload 128: expected a whole number from 0 to 127/);
      assert.match(e.message, /-min_rtp_port 7000 -max_rtp_port 6000: the range is empty/);
      return true;
    },
  );
});
