/**
 * SRTP from the command line, both sides sipts, in SIPp 3.7's way (its pfca_*_crypto scenarios): the UAC offers
 * two a=crypto: lines and streams a WAV; the UAS answers with the second suite (tag 2, AES_CM_128_HMAC_SHA1_32) and
 * its own key, and echoes (rtp_echo="startaudio"). The UAS must learn the offer before it answers and re-protect
 * the echo under its own key; the UAC must pick its tag-2 key to send with and open the echo under the UAS's.
 * test/interop/media-srtp.test.ts checks the packets themselves against libsrtp.
 */
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { toneWav } from '../../src/media/tone.js';
import { sipts, startSiptsUas } from '../helpers.js';

const STREAM_PACKETS = 25;

const UAC = `<?xml version="1.0"?>
<scenario name="srtp uac">
  <send retrans="500"><![CDATA[
    INVITE sip:[service]@[remote_ip]:[remote_port] SIP/2.0
    Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
    From: <sip:a@[local_ip]:[local_port]>;tag=[call_number]
    To: <sip:[service]@[remote_ip]:[remote_port]>
    Call-ID: [call_id]
    CSeq: 1 INVITE
    Contact: <sip:a@[local_ip]:[local_port]>
    Content-Type: application/sdp
    Content-Length: [len]

    v=0
    o=a 1 1 IN IP[local_ip_type] [local_ip]
    s=-
    c=IN IP[media_ip_type] [media_ip]
    t=0 0
    m=audio [auto_media_port] RTP/SAVP 8
    a=crypto:[cryptotag1audio] [cryptosuiteaescm128sha1801audio] inline:[cryptokeyparams1audio]
    a=crypto:[cryptotag2audio] [cryptosuiteaescm128sha1322audio] inline:[cryptokeyparams2audio]
  ]]></send>
  <recv response="200"/>
  <send><![CDATA[
    ACK sip:[service]@[remote_ip]:[remote_port] SIP/2.0
    Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
    From: <sip:a@[local_ip]:[local_port]>;tag=[call_number]
    To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
    Call-ID: [call_id]
    CSeq: 1 ACK
    Content-Length: 0
  ]]></send>
  <pause milliseconds="300"/>
  <nop><action><exec rtp_stream="tone.wav,1,8"/></action></nop>
  <pause milliseconds="1200"/>
  <send retrans="500"><![CDATA[
    BYE sip:[service]@[remote_ip]:[remote_port] SIP/2.0
    Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
    From: <sip:a@[local_ip]:[local_port]>;tag=[call_number]
    To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
    Call-ID: [call_id]
    CSeq: 2 BYE
    Content-Length: 0
  ]]></send>
  <recv response="200"/>
</scenario>
`;

const UAS = `<?xml version="1.0"?>
<scenario name="srtp uas">
  <recv request="INVITE"/>
  <send><![CDATA[
    SIP/2.0 200 OK
    [last_Via:]
    [last_From:]
    [last_To:];tag=[call_number]
    [last_Call-ID:]
    [last_CSeq:]
    Contact: <sip:b@[local_ip]:[local_port]>
    Content-Type: application/sdp
    Content-Length: [len]

    v=0
    o=b 1 1 IN IP[local_ip_type] [local_ip]
    s=-
    c=IN IP[media_ip_type] [media_ip]
    t=0 0
    m=audio [auto_media_port] RTP/SAVP 8
    a=crypto:[cryptotag2audio] [cryptosuiteaescm128sha1322audio] inline:[cryptokeyparams2audio]
  ]]></send>
  <recv request="ACK">
    <action><exec rtp_echo="startaudio,8,PCMA/8000"/></action>
  </recv>
  <recv request="BYE"/>
  <send><![CDATA[
    SIP/2.0 200 OK
    [last_Via:]
    [last_From:]
    [last_To:]
    [last_Call-ID:]
    [last_CSeq:]
    Content-Length: 0
  ]]></send>
</scenario>
`;

interface Rtp {
  packetsSent: number;
  packetsReceived: number;
  packetsLost: number;
  echoed: number;
  srtpSent: number;
  srtpAuthFailures: number;
}
const rtpOf = (file: string): Rtp => (JSON.parse(readFileSync(file, 'utf8')) as { rtp: Rtp }).rtp;

/** A base port whose first two ports are free on 127.0.0.1. */
async function freePair(): Promise<number> {
  for (;;) {
    const base = 20000 + 4 * Math.floor(Math.random() * 10000);
    const ok = await Promise.all(
      [base, base + 1].map(
        (p) =>
          new Promise<boolean>((r) => {
            const s = dgram.createSocket('udp4');
            s.once('error', () => r(false));
            s.bind(p, '127.0.0.1', () => s.close(() => r(true)));
          }),
      ),
    );
    if (ok.every(Boolean)) return base;
  }
}

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
      ['-sf', join(dir, 'uas.xml'), '-mp', String(await freePair()), '-m', '1', '--json', uasJson],
      60_000,
      dir,
    );
    t.after(() => uas.child.kill('SIGKILL'));
    const uacJson = join(dir, 'uac.json');
    const uac = await sipts(
      [
        '-sf',
        join(dir, 'uac.xml'),
        `127.0.0.1:${uas.port}`,
        '-i',
        '127.0.0.1',
        '-p',
        '0',
        '-mp',
        String(await freePair()),
        '-m',
        '1',
        '--json',
        uacJson,
      ],
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
