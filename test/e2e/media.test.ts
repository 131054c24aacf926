/** Issue 18 through the CLI: media files are read at load time, and the media sockets' trouble has SIPp's exit codes. */
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { sipts } from '../helpers.js';

test('media files a scenario names are read before any call: every problem at file:line:col, exit 255', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sipts-media-e2e-'));
  const file = join(dir, 'm.xml');
  writeFileSync(join(dir, 'notes.pcap'), 'these are notes, not a capture\n');
  writeFileSync(
    file,
    [
      '<?xml version="1.0"?>',
      '<scenario name="media">',
      '  <nop><action><exec play_pcap_audio="missing.pcap"/></action></nop>',
      '  <nop><action><exec play_pcap_video="notes.pcap"/></action></nop>',
      '  <nop><action><exec rtp_stream="x.wav,twice"/></action></nop>',
      '  <nop><action><exec rtp_stream="vpattern,0,99,H264/90000"/></action></nop>',
      '  <nop><action><exec rtp_stream="apattern,1"/></action></nop>',
      '</scenario>',
    ].join('\n'),
  );
  // -rtp_payload 99 is the payload type of a pattern that names none: a dynamic type, which needs a codec name.
  const r = await sipts(['-sf', file, '127.0.0.1:9', '-m', '1', '-rtp_payload', '99', '-nostdin', '-cp', '0']).exited;
  assert.equal(r.code, 255);
  const errors = r.stderr
    .split('\n')
    .filter((l) => l.includes(': error: '))
    .map((l) => l.replace(file, 'F'));
  // Columns by hand: <exec at 16, its attribute at 22, the attribute's value at 39 (play_pcap_audio, play_pcap_video).
  assert.deepEqual(
    errors.map((l) => l.replace(/ \(looked for .*$/, '').replace(/: byte 0: .*$/, '')),
    [
      'F:3:39: error: cannot find the media file "missing.pcap"',
      `F:4:39: error: ${join(dir, 'notes.pcap')}`,
      'F:5:22: error: rtp_stream loop count "twice" is not a whole number',
      'F:6:22: error: rtp_stream vpattern pattern id 0: SIPp has patterns 1 to 6',
      'F:7:22: error: rtp_stream apattern: payload type 99 needs a codec name',
    ],
  );
  assert.match(r.stderr, /apattern,1,99,H264\/90000/, 'the hint shows the form with a codec name');
  assert.ok(!r.stderr.includes('needs command="…" or int_cmd="…"'));
});

test('-rtp_echo on a port another program holds: cannot bind, exit 254 (as SIPp)', async (t) => {
  const s = dgram.createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  t.after(() => s.close());
  const r = await sipts(['-sn', 'uas', '-i', '127.0.0.1', '-p', '0', '-rtp_echo', '-mp', String(s.address().port), '-nostdin', '-cp', '0'])
    .exited;
  assert.equal(r.code, 254, r.stderr);
  assert.match(r.stderr, /cannot bind UDP \(RTP echo\) 127\.0\.0\.1:\d+: .*EADDRINUSE/);
});

test('-workers 2 -rtp_echo on a port another program holds: cannot bind, exit 254, as one engine', async (t) => {
  const s = dgram.createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  t.after(() => s.close());
  const port = String(s.address().port);
  const r = await sipts(['-sn', 'uas', '-i', '127.0.0.1', '-p', '0', '-rtp_echo', '-mp', port, '-workers', '2', '-nostdin', '-cp', '0'])
    .exited;
  assert.equal(r.code, 254, r.stderr);
  assert.match(r.stderr, /cannot bind UDP \(RTP echo\) 127\.0\.0\.1:\d+: .*EADDRINUSE/);
});
