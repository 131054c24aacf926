import assert from 'node:assert/strict';
import { test } from 'node:test';
import { rewriteArgv } from '../../src/cli/argv.js';
import { buildConfig } from '../../src/cli/config.js';
import { UdpTransport } from '../../src/transport/udp-pool.js';

test('two-value options: -key and -set by name (last wins), every -infindex kept, even on one file', () => {
  const args = rewriteArgv(['-key', 'a', '1', '-key', 'a', '2', '-set', 'v', 'x', '-infindex', 'u.csv', '0', '-infindex', 'u.csv', '2']);
  const raw: Record<string, string[]> = {};
  for (let i = 0; i < args.length; i += 2) (raw[(args[i] ?? '').slice(2)] ??= []).push(args[i + 1] ?? '');
  const c = buildConfig(raw, []);
  assert.deepEqual(c.keys, { a: '2' });
  assert.deepEqual(c.globals, { v: 'x' });
  assert.deepEqual(c.injectionIndexes, [{ file: 'u.csv', field: 0 }, { file: 'u.csv', field: 2 }]);
});

test('-buff_size sets both socket buffers (the kernel doubles what it is given, up to rmem_max/wmem_max)', async () => {
  assert.equal(buildConfig({ sn: 'uac' }, ['127.0.0.1:5060']).socketBufferBytes, 4 << 20);
  const c = buildConfig({ sn: 'uac', buff_size: '65536' }, ['127.0.0.1:5060']);
  assert.equal(c.socketBufferBytes, 65536);
  const none = { onMessage: () => undefined, onSendError: () => undefined, onSocketLimit: () => undefined, onConnectionLost: () => undefined };
  const t = await UdpTransport.open('127.0.0.1', [0], false, c.socketBufferBytes, none);
  try {
    const socket = t.main.socket;
    assert.equal(socket.getRecvBufferSize(), 2 * 65536);
    assert.equal(socket.getSendBufferSize(), 2 * 65536);
  } finally {
    await t.close();
  }
});
