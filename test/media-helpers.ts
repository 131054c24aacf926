/**
 * What the media tests share: a UDP peer on 127.0.0.1, the SDP of a call's peer as engine/media-runtime.ts gets
 * it (a parsed 200 OK) and as it sends its own (message text), a MediaRuntime on a free port range, and the
 * calling scenario with media (our own text) that the command-line media tests run.
 */
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { MediaRuntime, type MediaRunOptions } from '../src/engine/media-runtime.js';
import type { SipMessage } from '../src/sip/message.js';
import { parseMessage } from '../src/sip/parser.js';
import { freeUdpRange } from './helpers.js';
import { answer200 } from './scenario-snippets.js';

/** A UDP peer on 127.0.0.1 that keeps what it gets (and echoes it when asked). */
export async function udpPeer(echo = false): Promise<{ socket: dgram.Socket; port: number; got: Buffer[] }> {
  const socket = dgram.createSocket('udp4');
  const got: Buffer[] = [];
  socket.on('message', (m, r) => {
    got.push(m);
    if (echo) socket.send(m, r.port, r.address);
  });
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
  return { socket, port: socket.address().port, got };
}

/** An SDP whose audio (PCMA) goes to 127.0.0.1:`port`, with the attribute lines `crypto` (each ending in CRLF). */
export const sdpBody = (port: number, crypto = ''): string =>
  `v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio ${port} RTP/AVP 8\r\n${crypto}`;

/** A 200 OK carrying `body` as its SDP, parsed: what MediaRuntime.received takes. */
function sdpResponse(body: string): SipMessage {
  const r = parseMessage(
    `SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK-1\r\nFrom: <sip:a@x>;tag=1\r\nTo: <sip:b@x>;tag=2\r\nCall-ID: c\r\nCSeq: 1 INVITE\r\nContent-Type: application/sdp\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
  assert.ok(r.ok);
  return r.msg;
}

/** The peer's 200 OK whose SDP sends audio to 127.0.0.1:`port`. */
export const sdpMessage = (port: number, crypto = ''): SipMessage => sdpResponse(sdpBody(port, crypto));

/** An INVITE carrying `body` as its SDP, as text: what MediaRuntime.sentSdp takes. */
export const sentSdp = (body: string): string =>
  `INVITE sip:b@x SIP/2.0\r\nCall-ID: c\r\nContent-Type: application/sdp\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;

/** Waits (polling every 10 ms) until `cond` holds, at most `ms`. */
export async function until(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

/**
 * A MediaRuntime on 127.0.0.1 whose calls take ports of a free range of 100 (`base`, its first pair the first
 * call's); no -rtp_echo, packets up to 200 octets, warnings dropped unless `over` says otherwise.
 */
export async function mediaRuntime(over: Partial<MediaRunOptions> = {}): Promise<{ media: MediaRuntime; base: number }> {
  const base = await freeUdpRange(100);
  const media = await MediaRuntime.open({
    ip: '127.0.0.1',
    mediaPort: 0,
    autoMediaPort: false,
    echo: false,
    echoBufferBytes: 2048,
    minPort: base,
    maxPort: base + 99,
    socketBufferBytes: undefined,
    maxPacketBytes: 200,
    log: () => undefined,
    ...over,
  });
  return { media, base };
}

/** What a calling media scenario does between its ACK and its BYE, and how its INVITE's SDP reads. */
export interface MediaUacOptions {
  /** The scenario's name attribute. */
  readonly name: string;
  /** The m= line's transport: RTP/SAVP with `crypto` lines. */
  readonly profile: 'RTP/AVP' | 'RTP/SAVP';
  /** a= lines after the m= line (SIPp keywords welcome), without indentation. */
  readonly attributes?: readonly string[];
  /** Provisional responses (100, 180) accepted before the 200. */
  readonly provisional?: boolean;
  /** A pause (ms) after the ACK, before the stream starts. */
  readonly leadMs?: number;
  /** rtp_stream's value: file,loops,payload type. */
  readonly stream: string;
  /** How long the call lasts (ms) once the stream started, before its BYE. */
  readonly talkMs: number;
  /** Further rtp_stream values after the talk, each followed by a pause of so many ms (e.g. pauseapattern). */
  readonly then?: readonly (readonly [stream: string, ms: number])[];
  /** The payload type the SDP offers (8, PCMA, by default). */
  readonly payloadType?: number;
}

/**
 * A calling scenario of our own that streams a file with rtp_stream to the SDP of the 200: INVITE with an SDP on
 * [auto_media_port] (PCMA), ACK, the stream, BYE. For the command-line media tests, sipts's or SIPp's.
 */
export function mediaUacScenario(o: MediaUacOptions): string {
  const attributes = (o.attributes ?? []).map((a) => `\n    ${a}`).join('');
  const provisional = o.provisional === true ? '\n  <recv response="100" optional="true"/>\n  <recv response="180" optional="true"/>' : '';
  const lead = o.leadMs === undefined ? '' : `\n  <pause milliseconds="${o.leadMs}"/>`;
  const then = (o.then ?? [])
    .map(([stream, ms]) => `\n  <nop><action><exec rtp_stream="${stream}"/></action></nop>\n  <pause milliseconds="${ms}"/>`)
    .join('');
  return `<?xml version="1.0"?>
<scenario name="${o.name}">
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
    m=audio [auto_media_port] ${o.profile} ${o.payloadType ?? 8}${attributes}
  ]]></send>${provisional}
  <recv response="200"/>
  <send><![CDATA[
    ACK sip:[service]@[remote_ip]:[remote_port] SIP/2.0
    Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
    From: <sip:a@[local_ip]:[local_port]>;tag=[call_number]
    To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
    Call-ID: [call_id]
    CSeq: 1 ACK
    Content-Length: 0
  ]]></send>${lead}
  <nop><action><exec rtp_stream="${o.stream}"/></action></nop>
  <pause milliseconds="${o.talkMs}"/>${then}
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
}

/** SIPp 3.7's offer of two SDES keys (its pfca_*_crypto scenarios): tag 1 AES_CM_128_HMAC_SHA1_80, tag 2 _32. */
export const SRTP_OFFER = [
  'a=crypto:[cryptotag1audio] [cryptosuiteaescm128sha1801audio] inline:[cryptokeyparams1audio]',
  'a=crypto:[cryptotag2audio] [cryptosuiteaescm128sha1322audio] inline:[cryptokeyparams2audio]',
] as const;

/** An answering scenario's SDP and what it does once the ACK has come. */
export interface MediaUasOptions {
  /** The scenario's name attribute. */
  readonly name: string;
  /** The lines of the 200's SDP (SIPp keywords welcome), without indentation. */
  readonly sdp: readonly string[];
  /** An <action> run when the ACK comes (e.g. an rtp_echo). */
  readonly onAck?: string;
}

/** An answering scenario of our own: the INVITE answered by a 200 with an SDP, the ACK, then the BYE answered. */
export function mediaUasScenario(o: MediaUasOptions): string {
  const ack = o.onAck === undefined ? '<recv request="ACK"/>' : `<recv request="ACK">\n    ${o.onAck}\n  </recv>`;
  return `<?xml version="1.0"?>
<scenario name="${o.name}">
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

${o.sdp.map((l) => `    ${l}`).join('\n')}
  ]]></send>
  ${ack}
  <recv request="BYE"/>
  ${answer200()}
</scenario>
`;
}
