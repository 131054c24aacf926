/**
 * The media port range: RTP on an even port and RTCP on the next (odd) one (RFC 3550 §11). The range is
 * SIPp's -min_rtp_port / -max_rtp_port (SIPp 3.7; defaults 6000, the -mp default, and 65535: `-mp` sets
 * -min_rtp_port there). SIPp 3.6.1 has neither option: its rtp_stream ports are not configurable.
 *
 * Reuse: never-used pairs are handed out first, then freed ones, oldest freed first, so a port just freed
 * is not given to the next call while the previous call's last packets may still arrive on it.
 */

/** SIPp's defaults for -min_rtp_port (its DEFAULT_MEDIA_PORT, -mp's default) and -max_rtp_port. */
export const DEFAULT_MIN_RTP_PORT = 6000;
export const DEFAULT_MAX_RTP_PORT = 65535;

/** The even ports of a range, each with its odd neighbour for RTCP. Pure bookkeeping: no sockets. */
export class RtpPortRange {
  readonly first: number;
  /** Port pairs in the range. */
  readonly pairs: number;
  private cursor = 0;
  /** Freed pair indices, FIFO (a ring of `pairs` entries). */
  private readonly freed: Int32Array;
  private freedHead = 0;
  private freedCount = 0;
  private readonly inUse: Uint8Array;
  private used = 0;

  constructor(
    readonly min = DEFAULT_MIN_RTP_PORT,
    readonly max = DEFAULT_MAX_RTP_PORT,
  ) {
    if (!Number.isInteger(min) || !Number.isInteger(max) || min < 1 || max > 65535) {
      throw new RangeError(
        `RTP port range ${min}-${max}: ports are whole numbers from 1 to 65535; set -min_rtp_port and -max_rtp_port within them`,
      );
    }
    this.first = min + (min & 1);
    this.pairs = max >= this.first + 1 ? Math.floor((max - this.first + 1) / 2) : 0;
    if (this.pairs === 0) {
      throw new RangeError(
        `RTP port range ${min}-${max} holds no even port with its odd neighbour (RTP and RTCP, RFC 3550 §11): make -max_rtp_port at least ${this.first + 1}`,
      );
    }
    this.freed = new Int32Array(this.pairs);
    this.inUse = new Uint8Array(this.pairs);
  }

  /** Pairs handed out and not released. */
  get inUseCount(): number {
    return this.used;
  }

  /** An even RTP port whose pair is free, or undefined when every pair is taken. */
  take(): number | undefined {
    let index: number;
    if (this.cursor < this.pairs) index = this.cursor++;
    else if (this.freedCount > 0) {
      index = this.freed[this.freedHead] ?? 0;
      this.freedHead = (this.freedHead + 1) % this.pairs;
      this.freedCount--;
    } else return undefined;
    this.inUse[index] = 1;
    this.used++;
    return this.first + 2 * index;
  }

  /** Gives a pair back (by its RTP port); it is reused after every pair freed before it. */
  release(port: number): void {
    const index = (port - this.first) / 2;
    if (!Number.isInteger(index) || index < 0 || index >= this.pairs || this.inUse[index] !== 1) {
      throw new RangeError(`RTP port ${port} was not taken from the range ${this.min}-${this.max}`);
    }
    this.inUse[index] = 0;
    this.used--;
    this.freed[(this.freedHead + this.freedCount) % this.pairs] = index;
    this.freedCount++;
  }

  /** The error for a call that finds no pair free. */
  exhausted(): Error {
    return new Error(
      `RTP port range ${this.min}-${this.max} exhausted: all ${this.pairs} port pairs (RTP even, RTCP odd) are in use or taken by other programs; ` +
        'widen it with -min_rtp_port/-max_rtp_port or lower the number of simultaneous calls (-l)',
    );
  }
}
