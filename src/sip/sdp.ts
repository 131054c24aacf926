/**
 * The little of SDP (RFC 4566) that media needs: where the peer wants its RTP. The session's (or first)
 * connection address (§5.7, c=IN IP4|IP6 addr) and the port of the first m=audio, m=video and m=image lines
 * (§5.14). SIPp reads the same three (call.cpp get_remote_media_addr); anything else in the body is ignored.
 */
export interface SdpMedia {
  readonly address: string;
  /** 0 when the body has no such line. */
  readonly audioPort: number;
  readonly videoPort: number;
  readonly imagePort: number;
}

/** Reads `body`; undefined when it has no connection address or no media port. */
export function sdpMedia(body: string): SdpMedia | undefined {
  const c = /^c=IN IP[46] ([^\s/]+)/m.exec(body);
  if (c === null) return undefined;
  const port = (media: string): number => {
    const m = new RegExp(`^m=${media} (\\d+)`, 'm').exec(body);
    const p = m === null ? 0 : Number(m[1]);
    return p > 0 && p < 65536 ? p : 0;
  };
  const audioPort = port('audio');
  const videoPort = port('video');
  const imagePort = port('image');
  if (audioPort === 0 && videoPort === 0 && imagePort === 0) return undefined;
  return { address: c[1] ?? '', audioPort, videoPort, imagePort };
}
