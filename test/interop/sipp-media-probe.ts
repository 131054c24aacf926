import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { freePort, RawPeer, responseTo, sipp } from '../helpers.js';

// A UAC that sets up a call, runs one media exec action, waits and hangs up; the answering side is the test,
// whose SDP points SIPp's media at a socket of its own.
const UAC = (exec: string, pauseMs: number): string => `<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="media probe">
  <send retrans="500"><![CDATA[
INVITE sip:probe@[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: <sip:uac@[local_ip]:[local_port]>;tag=[call_number]
To: <sip:probe@[remote_ip]:[remote_port]>
Call-ID: [call_id]
CSeq: 1 INVITE
Contact: <sip:uac@[local_ip]:[local_port]>
Max-Forwards: 70
Content-Type: application/sdp
Content-Length: [len]

v=0
o=- 1 1 IN IP[local_ip_type] [local_ip]
s=-
c=IN IP[media_ip_type] [media_ip]
t=0 0
m=audio [media_port] RTP/AVP 8 96
a=rtpmap:96 telephone-event/8000
]]></send>
  <recv response="200"/>
  <send><![CDATA[
ACK sip:probe@[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: <sip:uac@[local_ip]:[local_port]>;tag=[call_number]
To: <sip:probe@[remote_ip]:[remote_port]>[peer_tag_param]
Call-ID: [call_id]
CSeq: 1 ACK
Max-Forwards: 70
Content-Length: 0

]]></send>
  <nop><action><exec ${exec}/></action></nop>
  <pause milliseconds="${pauseMs}"/>
  <send retrans="500"><![CDATA[
BYE sip:probe@[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: <sip:uac@[local_ip]:[local_port]>;tag=[call_number]
To: <sip:probe@[remote_ip]:[remote_port]>[peer_tag_param]
Call-ID: [call_id]
CSeq: 2 BYE
Max-Forwards: 70
Content-Length: 0

]]></send>
  <recv response="200"/>
</scenario>
`;

export interface Got {
  readonly packet: Buffer;
  readonly atMs: number;
}

/**
 * Runs SIPp as a UAC whose call runs `<exec ${exec}/>` (e.g. play_dtmf="12" or play_pcap_audio="/x.pcap") then
 * pauses `pauseMs`; this side answers with SDP pointing at a socket here and returns the media SIPp sent to it.
 */
export async function sippMediaProbe(t: { after: (f: () => void) => void }, exec: string, pauseMs: number): Promise<Got[]> {
  const dir = mkdtempSync(join(tmpdir(), 'sipts-dtmf-'));
  const sip = new RawPeer();
  const media = dgram.createSocket('udp4');
  t.after(() => {
    sip.close();
    media.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const got: Got[] = [];
  media.on('message', (packet) => got.push({ packet, atMs: performance.now() }));
  await new Promise<void>((r) => media.bind(0, '127.0.0.1', () => r()));
  const mediaPort = media.address().port;
  const sipPort = await sip.open();
  writeFileSync(join(dir, 'uac.xml'), UAC(exec, pauseMs));
  const uac = sipp(
    [
      `127.0.0.1:${sipPort}`,
      '-sf',
      'uac.xml',
      '-i',
      '127.0.0.1',
      '-p',
      String(await freePort()),
      '-mp',
      String(await freePort()),
      '-m',
      '1',
    ],
    30_000,
    dir,
  );
  const sdp = `v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio ${mediaPort} RTP/AVP 8 96\r\na=rtpmap:96 telephone-event/8000\r\n`;
  // Answer every INVITE (retransmissions too) and the BYE; the ACK needs nothing.
  for (let done = false; !done;) {
    const m = await sip.next(15_000);
    if (m.startsWith('INVITE'))
      sip.send(
        responseTo(m, '200 OK', 'probe', `Contact: <sip:probe@127.0.0.1:${sipPort}>\r\nContent-Type: application/sdp\r\n`, sdp),
        Number(/:(\d+);branch/.exec(m)?.[1]),
      );
    if (m.startsWith('BYE')) {
      sip.send(responseTo(m, '200 OK', 'probe'), Number(/:(\d+);branch/.exec(m)?.[1]));
      done = true;
    }
  }
  const exited = await uac.exited;
  assert.equal(exited.code, 0, exited.stderr);

  return got;
}
