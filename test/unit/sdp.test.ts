/** sip/sdp.ts against RFC 4566's own example (§5) and the lines SIPp reads (c=, m=audio/video/image ports). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sdpMedia } from '../../src/sip/sdp.js';

test("RFC 4566 §5's example session: the connection address and the audio and video ports", () => {
  const body = [
    'v=0',
    'o=jdoe 2890844526 2890842807 IN IP4 10.47.16.5',
    's=SDP Seminar',
    'c=IN IP4 224.2.17.12/127',
    't=2873397496 2873404696',
    'a=recvonly',
    'm=audio 49170 RTP/AVP 0',
    'm=video 51372 RTP/AVP 99',
    'a=rtpmap:99 h263-1998/90000',
    '',
  ].join('\r\n');
  assert.deepEqual(sdpMedia(body), { address: '224.2.17.12', audioPort: 49170, videoPort: 51372, imagePort: 0 });
});

test('IPv6, T.38 image only; no c= line or no media port: nothing', () => {
  assert.deepEqual(sdpMedia('v=0\r\nc=IN IP6 ::1\r\nm=image 6004 udptl t38\r\n'), {
    address: '::1',
    audioPort: 0,
    videoPort: 0,
    imagePort: 6004,
  });
  assert.equal(sdpMedia('v=0\r\nm=audio 6000 RTP/AVP 0\r\n'), undefined);
  assert.equal(sdpMedia('v=0\r\nc=IN IP4 127.0.0.1\r\n'), undefined);
  assert.equal(sdpMedia('v=0\r\nc=IN IP4 127.0.0.1\r\nm=audio 0 RTP/AVP 0\r\n'), undefined);
});
