/**
 * SRTP from the command line, both sides sipts, in SIPp 3.7's way (its pfca_*_crypto scenarios): the UAC offers
 * two a=crypto: lines and streams a WAV; the UAS answers with the second suite (tag 2, AES_CM_128_HMAC_SHA1_32) and
 * its own key, and echoes (rtp_echo="startaudio"). The UAS must learn the offer before it answers and re-protect
 * the echo under its own key; the UAC must pick its tag-2 key to send with and open the echo under the UAS's.
 * test/interop/media-srtp.test.ts checks the packets themselves against libsrtp.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { toneWav } from '../../src/media/tone.js';
import { freeUdpRange, loopbackScenario, sipts, startSiptsUas } from '../helpers.js';
import { mediaUacScenario, mediaUasScenario, SRTP_OFFER } from '../media-helpers.js';

const STREAM_PACKETS = 25;

const UAC = mediaUacScenario({
  name: 'srtp uac',
  profile: 'RTP/SAVP',
  attributes: SRTP_OFFER,
  leadMs: 300,
  stream: 'tone.wav,1,8',
  talkMs: 1200,
});

const UAS = mediaUasScenario({
  name: 'srtp uas',
  sdp: [
    'v=0',
    'o=b 1 1 IN IP[local_ip_type] [local_ip]',
    's=-',
    'c=IN IP[media_ip_type] [media_ip]',
    't=0 0',
    'm=audio [auto_media_port] RTP/SAVP 8',
    'a=crypto:[cryptotag2audio] [cryptosuiteaescm128sha1322audio] inline:[cryptokeyparams2audio]',
  ],
  onAck: '<action><exec rtp_echo="startaudio,8,PCMA/8000"/></action>',
});

interface Rtp {
  packetsSent: number;
  packetsReceived: number;
  packetsLost: number;
  echoed: number;
  srtpSent: number;
  srtpAuthFailures: number;
}
const rtpOf = (file: string): Rtp => (JSON.parse(readFileSync(file, 'utf8')) as { rtp: Rtp }).rtp;

test(
  'sipts to sipts: SRTP negotiated on tag 2 (AES_CM_128_HMAC_SHA1_32), the stream echoed re-protected, every echo opened, no auth failure',
  { timeout: 60_000 },
  async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'sipts-srtp-e2e-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(join(dir, 'tone.wav'), toneWav('alaw', { durationMs: 20 * STREAM_PACKETS }));
    writeFileSync(join(dir, 'uac.xml'), UAC);
    writeFileSync(join(dir, 'uas.xml'), UAS);
    const uasJson = join(dir, 'uas.json');
    const uas = await startSiptsUas(
      ['-sf', join(dir, 'uas.xml'), '-mp', String(await freeUdpRange(2)), '-m', '1', '--json', uasJson],
      60_000,
      dir,
    );
    t.after(() => uas.child.kill('SIGKILL'));
    const uacJson = join(dir, 'uac.json');
    const uac = await sipts(
      [...loopbackScenario(join(dir, 'uac.xml'), uas.port), '-mp', String(await freeUdpRange(2)), '-m', '1', '--json', uacJson],
      60_000,
      dir,
    ).exited;
    assert.equal(uac.code, 0, uac.stderr);
    const served = await uas.exited;
    assert.equal(served.code, 0, served.stderr);
    const a = rtpOf(uacJson);
    const b = rtpOf(uasJson);
    assert.equal(a.srtpSent, STREAM_PACKETS);
    assert.equal(b.srtpAuthFailures, 0, 'the UAS opened every packet under the key of the offer it took (tag 2)');
    assert.equal(b.echoed, STREAM_PACKETS);
    assert.equal(a.srtpAuthFailures, 0, "the UAC opened every echo under the UAS's key");
    // RFC 3550 A.1: the echoed stream's first packet is its probation.
    assert.equal(a.packetsReceived, STREAM_PACKETS - 1);
    assert.equal(a.packetsLost, 0);
    assert.doesNotMatch(uac.stderr + served.stderr, /SRTP|crypto/);
  },
);
