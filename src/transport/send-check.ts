/**
 * Which UDP sends ask node:dgram for their outcome. Without a callback dgram drops a send's error (EMSGSIZE,
 * ENOBUFS, EHOSTUNREACH) silently; with one it queues a tick per send to report success, which cost a UAS about
 * 2 µs a call of its ~40 (four sends a call; measured at 3,000 calls/s). So not every send asks: every one once a
 * send has failed; a large datagram (EMSGSIZE depends on the message, not the route); and one in `every`, so that
 * a route or a firewall that refuses (the errors a UDP send meets, and they last) is seen within a few sends, and
 * every send is checked from then on.
 */
/** One send in this many asks while none has failed. */
const EVERY = 16;
/** A datagram larger than this always asks: far below UDP's 65,507-byte limit, and rare in SIP. */
const LARGE_BYTES = 8192;

export class SendChecks {
  /** Sends since the last one that asked. */
  private unchecked = 0;
  private failed = false;

  /** Whether the send of a datagram of `bytes` asks for its outcome. */
  ask(bytes: number): boolean {
    if (this.failed || bytes > LARGE_BYTES || ++this.unchecked >= EVERY) {
      this.unchecked = 0;
      return true;
    }
    return false;
  }

  /** A send failed: every later one asks. */
  sawError(): void {
    this.failed = true;
  }
}
