/**
 * A receiver's RTP statistics for many streams at once, one slot per stream, kept as struct-of-arrays so
 * that 1,000s of streams cost a few typed arrays and recording a packet allocates nothing.
 *
 * - Sequence numbers: RFC 3550 Appendix A.1 (validation with probation, 16-bit wrap counted in cycles,
 *   a jump of MAX_DROPOUT or more taken as a restart only when confirmed by the next packet).
 * - Expected, lost and fraction lost: RFC 3550 Appendix A.3 (cumulative lost can be negative with duplicates).
 * - Interarrival jitter: RFC 3550 Appendix A.8 (J += (|D| - J) / 16, in timestamp units).
 * - Beyond the RFC: out-of-order and duplicate counts, from a 128-bit window of the sequence numbers seen
 *   behind the highest one (the RFC takes a late packet of up to MAX_MISORDER = 100 back as "duplicate or
 *   reordered" without telling which).
 */

/** RFC 3550 A.1's constants. */
const RTP_SEQ_MOD = 1 << 16;
const MAX_DROPOUT = 3000;
const MAX_MISORDER = 100;
/** Packets in sequence before a source is valid (RFC 3550 A.1's MIN_SEQUENTIAL). */
export const MIN_SEQUENTIAL = 2;
/** Bits in the seen-window; more than MAX_MISORDER, a multiple of 32. */
const WINDOW = 128;

/** What onPacket() made of a packet. */
export const Verdict = {
  /** The source is still on probation (A.1): not counted in received/expected. */
  Probation: 0,
  /** The next (or a later, after a gap) sequence number. */
  InOrder: 1,
  /** A sequence number behind the highest one, not seen before. */
  OutOfOrder: 2,
  /** A sequence number seen before. */
  Duplicate: 3,
  /** A large jump (A.1: MAX_DROPOUT or more): dropped until the next packet confirms it. */
  BadJump: 4,
  /** The next packet after a bad jump confirmed it: the sequence restarted (counts reset). */
  Restart: 5,
} as const;
export type Verdict = (typeof Verdict)[keyof typeof Verdict];

/** What an RTP datagram was when handed in raw. */
export const Datagram = { Rtp: 0, TooShort: 1, NotVersion2: 2, OtherSsrc: 3 } as const;

export interface StreamSummary {
  readonly received: number;
  readonly expected: number;
  readonly lost: number;
  readonly outOfOrder: number;
  readonly duplicates: number;
  readonly jitterMs: number;
  readonly maxJitterMs: number;
  readonly cycles: number;
}

export class RtpStreamStats {
  private readonly maxSeq: Uint16Array;
  private readonly baseSeq: Uint16Array;
  /** Bad sequence number (A.1's bad_seq: RTP_SEQ_MOD + 1 means none), hence 32 bits. */
  private readonly badSeq: Uint32Array;
  /** Shifted count of sequence number cycles (A.1's cycles: a multiple of 65536). */
  private readonly cycles: Float64Array;
  private readonly probation: Uint8Array;
  private readonly received: Float64Array;
  private readonly expectedPrior: Float64Array;
  private readonly receivedPrior: Float64Array;
  private readonly outOfOrderCount: Float64Array;
  private readonly duplicateCount: Float64Array;
  /** 0 = no packet yet, 1 = seen (sequence state set), 2 = jitter has a previous packet to compare with. */
  private readonly state: Uint8Array;
  private readonly clockRate: Float64Array;
  private readonly prevTs: Uint32Array;
  private readonly prevArrivalMs: Float64Array;
  /** A.8's jitter estimate in timestamp units (a float: the RFC's integer form is J scaled by 16). */
  private readonly jitter: Float64Array;
  private readonly maxJitter: Float64Array;
  private readonly ssrc: Uint32Array;
  private readonly otherSsrcCount: Float64Array;
  /** Seen sequence numbers, bit (seq % WINDOW), for the WINDOW numbers up to maxSeq. */
  private readonly seen: Uint32Array;

  constructor(
    readonly capacity: number,
    private readonly minSequential = MIN_SEQUENTIAL,
  ) {
    this.maxSeq = new Uint16Array(capacity);
    this.baseSeq = new Uint16Array(capacity);
    this.badSeq = new Uint32Array(capacity);
    this.cycles = new Float64Array(capacity);
    this.probation = new Uint8Array(capacity);
    this.received = new Float64Array(capacity);
    this.expectedPrior = new Float64Array(capacity);
    this.receivedPrior = new Float64Array(capacity);
    this.outOfOrderCount = new Float64Array(capacity);
    this.duplicateCount = new Float64Array(capacity);
    this.state = new Uint8Array(capacity);
    this.clockRate = new Float64Array(capacity).fill(8000);
    this.prevTs = new Uint32Array(capacity);
    this.prevArrivalMs = new Float64Array(capacity);
    this.jitter = new Float64Array(capacity);
    this.maxJitter = new Float64Array(capacity);
    this.ssrc = new Uint32Array(capacity);
    this.otherSsrcCount = new Float64Array(capacity);
    this.seen = new Uint32Array(capacity * (WINDOW / 32));
  }

  /** Makes slot `i` a new stream of the given RTP clock rate (8000 Hz for G.711, RFC 3551 §4.5.14). */
  reset(i: number, clockRateHz = 8000): void {
    this.state[i] = 0;
    this.clockRate[i] = clockRateHz;
    this.jitter[i] = 0;
    this.maxJitter[i] = 0;
    this.outOfOrderCount[i] = 0;
    this.duplicateCount[i] = 0;
    this.otherSsrcCount[i] = 0;
    this.initSeq(i, 0);
  }

  /**
   * An RTP datagram for slot `i`, arrived at `arrivalMs`. Reads the fixed header inline (RFC 3550 §5.1):
   * V in the top two bits of byte 0, the sequence number in bytes 2-3, the timestamp in bytes 4-7 and the
   * SSRC in bytes 8-11, all network order. The first packet's SSRC is the stream's; others are counted apart
   * (statistics are per source, RFC 3550 §6.4.1).
   */
  onDatagram(i: number, buf: Uint8Array, arrivalMs: number): number {
    if (buf.length < 12) return Datagram.TooShort;
    if ((buf[0] ?? 0) >> 6 !== 2) return Datagram.NotVersion2;
    const seq = ((buf[2] ?? 0) << 8) | (buf[3] ?? 0);
    const ts = (((buf[4] ?? 0) << 24) | ((buf[5] ?? 0) << 16) | ((buf[6] ?? 0) << 8) | (buf[7] ?? 0)) >>> 0;
    const ssrc = (((buf[8] ?? 0) << 24) | ((buf[9] ?? 0) << 16) | ((buf[10] ?? 0) << 8) | (buf[11] ?? 0)) >>> 0;
    if (this.state[i] === 0) this.ssrc[i] = ssrc;
    else if (this.ssrc[i] !== ssrc) {
      this.otherSsrcCount[i] = (this.otherSsrcCount[i] ?? 0) + 1;
      return Datagram.OtherSsrc;
    }
    this.onPacket(i, seq, ts, arrivalMs);
    return Datagram.Rtp;
  }

  /** One RTP packet of slot `i`: its sequence number, RTP timestamp and arrival time (ms, any epoch). */
  onPacket(i: number, seq: number, ts: number, arrivalMs: number): Verdict {
    if (this.state[i] === 0) {
      // A.1: "init_seq(s, seq); s->max_seq = seq - 1; s->probation = MIN_SEQUENTIAL;"
      this.initSeq(i, seq);
      this.maxSeq[i] = (seq - 1) & 0xffff;
      this.probation[i] = this.minSequential;
      this.state[i] = 1;
    }
    const verdict = this.updateSeq(i, seq);
    if (verdict === Verdict.InOrder || verdict === Verdict.OutOfOrder || verdict === Verdict.Duplicate || verdict === Verdict.Restart) {
      this.updateJitter(i, ts, arrivalMs);
    }
    return verdict;
  }

  private initSeq(i: number, seq: number): void {
    this.baseSeq[i] = seq;
    this.maxSeq[i] = seq;
    this.badSeq[i] = RTP_SEQ_MOD + 1;
    this.cycles[i] = 0;
    this.received[i] = 0;
    this.receivedPrior[i] = 0;
    this.expectedPrior[i] = 0;
    const w = i * (WINDOW / 32);
    this.seen.fill(0, w, w + WINDOW / 32);
    this.markSeen(i, seq);
  }

  /** RFC 3550 A.1's update_seq(), with the late packets it lumps together told apart. */
  private updateSeq(i: number, seq: number): Verdict {
    const maxSeq = this.maxSeq[i] ?? 0;
    const udelta = (seq - maxSeq) & 0xffff;
    const probation = this.probation[i] ?? 0;
    if (probation > 0) {
      if (seq === ((maxSeq + 1) & 0xffff)) {
        this.probation[i] = probation - 1;
        this.maxSeq[i] = seq;
        if (probation - 1 === 0) {
          this.initSeq(i, seq);
          this.received[i] = (this.received[i] ?? 0) + 1;
          return Verdict.InOrder;
        }
      } else {
        this.probation[i] = this.minSequential - 1;
        this.maxSeq[i] = seq;
      }
      return Verdict.Probation;
    }
    let verdict: Verdict = Verdict.InOrder;
    if (udelta < MAX_DROPOUT) {
      if (udelta === 0) {
        verdict = Verdict.Duplicate;
      } else {
        // In order, with a permissible gap. A wrap (seq below max) adds a cycle.
        if (seq < maxSeq) this.cycles[i] = (this.cycles[i] ?? 0) + RTP_SEQ_MOD;
        this.advanceWindow(i, maxSeq, udelta);
        this.maxSeq[i] = seq;
      }
    } else if (udelta <= RTP_SEQ_MOD - MAX_MISORDER) {
      // A very large jump. Two in a row (the second one right after the first) mean the sender restarted.
      if (seq === this.badSeq[i]) {
        this.initSeq(i, seq);
        verdict = Verdict.Restart;
      } else {
        this.badSeq[i] = (seq + 1) & (RTP_SEQ_MOD - 1);
        return Verdict.BadJump;
      }
    } else {
      // Behind maxSeq by at most MAX_MISORDER: the RFC's "duplicate or reordered packet".
      verdict = this.markSeen(i, seq) ? Verdict.Duplicate : Verdict.OutOfOrder;
    }
    if (verdict === Verdict.Duplicate) this.duplicateCount[i] = (this.duplicateCount[i] ?? 0) + 1;
    else if (verdict === Verdict.OutOfOrder) this.outOfOrderCount[i] = (this.outOfOrderCount[i] ?? 0) + 1;
    this.received[i] = (this.received[i] ?? 0) + 1;
    return verdict;
  }

  /** Clears the window's bits for maxSeq+1 .. maxSeq+delta-1 and sets maxSeq+delta. */
  private advanceWindow(i: number, maxSeq: number, delta: number): void {
    const w = i * (WINDOW / 32);
    if (delta >= WINDOW) {
      this.seen.fill(0, w, w + WINDOW / 32);
    } else {
      for (let k = 1; k < delta; k++) {
        const bit = (maxSeq + k) % WINDOW;
        const word = w + (bit >>> 5);
        this.seen[word] = (this.seen[word] ?? 0) & ~(1 << (bit & 31));
      }
    }
    this.markSeen(i, (maxSeq + delta) & 0xffff);
  }

  /** Sets seq's bit; true if it was set already. */
  private markSeen(i: number, seq: number): boolean {
    const bit = seq % WINDOW;
    const word = i * (WINDOW / 32) + (bit >>> 5);
    const mask = 1 << (bit & 31);
    const old = this.seen[word] ?? 0;
    this.seen[word] = old | mask;
    return (old & mask) !== 0;
  }

  /**
   * RFC 3550 A.8: D(i-1,i) = (Rj - Ri) - (Sj - Si) in timestamp units; J += (|D| - J) / 16. The arrival
   * difference is converted with the stream's clock rate; the timestamp difference is taken modulo 2^32 as a
   * signed number, so a timestamp wrap is harmless. The first packet only sets the reference.
   */
  private updateJitter(i: number, ts: number, arrivalMs: number): void {
    if (this.state[i] === 2) {
      const rate = this.clockRate[i] ?? 8000;
      const arrivalUnits = ((arrivalMs - (this.prevArrivalMs[i] ?? 0)) * rate) / 1000;
      const tsUnits = (ts - (this.prevTs[i] ?? 0)) | 0;
      const d = Math.abs(arrivalUnits - tsUnits);
      const j = (this.jitter[i] ?? 0) + (d - (this.jitter[i] ?? 0)) / 16;
      this.jitter[i] = j;
      if (j > (this.maxJitter[i] ?? 0)) this.maxJitter[i] = j;
    } else {
      this.state[i] = 2;
    }
    this.prevTs[i] = ts;
    this.prevArrivalMs[i] = arrivalMs;
  }

  /** Packets counted (A.1's received: duplicates included, probation and bad jumps not). */
  receivedOf(i: number): number {
    return this.received[i] ?? 0;
  }

  /** A.3: extended highest sequence number received - base_seq + 1 (0 before the source is valid). */
  expectedOf(i: number): number {
    if (this.state[i] === 0 || (this.probation[i] ?? 0) > 0) return 0;
    return (this.cycles[i] ?? 0) + (this.maxSeq[i] ?? 0) - (this.baseSeq[i] ?? 0) + 1;
  }

  /** A.3: expected - received; negative when duplicates outnumber losses. */
  lostOf(i: number): number {
    return this.expectedOf(i) - this.receivedOf(i);
  }

  outOfOrderOf(i: number): number {
    return this.outOfOrderCount[i] ?? 0;
  }

  duplicatesOf(i: number): number {
    return this.duplicateCount[i] ?? 0;
  }

  /** Packets from another SSRC than the stream's first one (not counted in the rest). */
  otherSsrcOf(i: number): number {
    return this.otherSsrcCount[i] ?? 0;
  }

  /** The source of slot `i`: the SSRC of its first packet. */
  ssrcOf(i: number): number {
    return this.ssrc[i] ?? 0;
  }

  /** RFC 3550 §6.4.1's extended highest sequence number received: cycles × 65536 + the highest. */
  extendedHighestSeqOf(i: number): number {
    return (this.cycles[i] ?? 0) + (this.maxSeq[i] ?? 0);
  }

  /** The extended highest sequence number's cycles (wraps of 65535 -> 0). */
  cyclesOf(i: number): number {
    return (this.cycles[i] ?? 0) / RTP_SEQ_MOD;
  }

  /** A.8's interarrival jitter in timestamp units. */
  jitterUnitsOf(i: number): number {
    return this.jitter[i] ?? 0;
  }

  /** The jitter in milliseconds (timestamp units / clock rate). */
  jitterMsOf(i: number): number {
    return ((this.jitter[i] ?? 0) * 1000) / (this.clockRate[i] ?? 8000);
  }

  /** The highest jitter the stream had, in milliseconds. */
  maxJitterMsOf(i: number): number {
    return ((this.maxJitter[i] ?? 0) * 1000) / (this.clockRate[i] ?? 8000);
  }

  /** The jitter as whole microseconds, at least 1: the value to record into an hdr histogram. */
  jitterMicrosOf(i: number): number {
    return Math.max(1, Math.round(this.jitterMsOf(i) * 1000));
  }

  /**
   * A.3's fraction lost since the previous call (what a receiver report carries): lost in the interval
   * * 256 / expected in the interval, 0 when nothing was expected or duplicates made up for the losses.
   */
  fractionLostSinceLast(i: number): number {
    const expected = this.expectedOf(i);
    const received = this.receivedOf(i);
    const expectedInterval = expected - (this.expectedPrior[i] ?? 0);
    const receivedInterval = received - (this.receivedPrior[i] ?? 0);
    this.expectedPrior[i] = expected;
    this.receivedPrior[i] = received;
    const lostInterval = expectedInterval - receivedInterval;
    if (expectedInterval === 0 || lostInterval <= 0) return 0;
    return Math.floor((lostInterval * 256) / expectedInterval);
  }

  /**
   * Sums over slots from..to-1 (a run's total): packets, expected, lost, out of order and duplicates add
   * up; the jitter is the mean of the streams' that received packets, the max jitter the worst of them.
   */
  totals(from = 0, to = this.capacity): StreamSummary {
    let received = 0;
    let expected = 0;
    let outOfOrder = 0;
    let duplicates = 0;
    let jitterSum = 0;
    let streams = 0;
    let maxJitterMs = 0;
    let cycles = 0;
    for (let i = from; i < to; i++) {
      received += this.receivedOf(i);
      expected += this.expectedOf(i);
      outOfOrder += this.outOfOrderOf(i);
      duplicates += this.duplicatesOf(i);
      cycles += this.cyclesOf(i);
      if (this.receivedOf(i) > 0) {
        jitterSum += this.jitterMsOf(i);
        streams++;
      }
      maxJitterMs = Math.max(maxJitterMs, this.maxJitterMsOf(i));
    }
    return {
      received,
      expected,
      lost: expected - received,
      outOfOrder,
      duplicates,
      jitterMs: streams === 0 ? 0 : jitterSum / streams,
      maxJitterMs,
      cycles,
    };
  }

  /** Plain data for reports (allocates: not for the hot path). */
  summary(i: number): StreamSummary {
    return {
      received: this.receivedOf(i),
      expected: this.expectedOf(i),
      lost: this.lostOf(i),
      outOfOrder: this.outOfOrderOf(i),
      duplicates: this.duplicatesOf(i),
      jitterMs: this.jitterMsOf(i),
      maxJitterMs: this.maxJitterMsOf(i),
      cycles: this.cyclesOf(i),
    };
  }
}
