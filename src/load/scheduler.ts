/**
 * Decides how many calls start now: -r/-rp (rate), -l (open-call cap), -m (total), pause/resume.
 * Starts refused by -l are counted, not queued, so the rate never bursts to catch up after a stall.
 * A machine that cannot keep the rate falls behind; past a second's worth of calls the starts it missed
 * are counted as not started and dropped from the schedule, instead of a backlog that grows for ever and
 * then bursts: the run goes on at what the machine can do, and says so.
 */
import { callsDue } from './rate.js';
import { shareOf, WHOLE, type Share } from './share.js';

/** At most this many calls start in one event-loop turn; the rest are due on the next turn. */
const MAX_STARTS_PER_TURN = 500;

export interface SchedulerOptions {
  readonly rate: number;
  readonly periodMs: number;
  /** 0: no cap. */
  readonly limit: number;
  /** 0: no end. */
  readonly maxCalls: number;
  /** -users: keep this many calls open instead of starting calls at a rate; 0: rate mode. */
  readonly users: number;
  /** -rate_increase …: an automatic ramp; undefined: none. */
  readonly ramp?: RampOptions | undefined;
  /**
   * -workers: this scheduler starts only its stripe of the run's arrivals (share.ts): `rate` stays the whole
   * run's, so the parts' calls add up to the rate's exactly at every moment. limit, maxCalls and users are
   * already this part's shares. Undefined: the whole run.
   */
  readonly share?: Share | undefined;
  /**
   * -workers, answering: the run's count of calls created, shared by every worker (an Int32Array over a
   * SharedArrayBuffer, index 0). Calls reach the workers by Call-ID hash, so no worker knows its share of -m:
   * maxCalls is the whole run's and each incoming call takes one from this count.
   */
  readonly sharedCreated?: Int32Array | undefined;
}

/** SIPp's -rate_increase, -rate_interval, -rate_max and -no_rate_quit. */
export interface RampOptions {
  readonly increase: number;
  readonly intervalMs: number;
  /** 0: no ceiling. */
  readonly max: number;
  /** Stop the run (gracefully) once the rate would pass max; false: keep running at max (-no_rate_quit). */
  readonly quitAtMax: boolean;
}

export class Scheduler {
  private rate: number;
  private readonly periodMs: number;
  private limit: number;
  readonly maxCalls: number;
  private users: number;
  /** Started with -users: the number of users, not a rate, makes the load (fixed for the run, as in SIPp). */
  readonly userMode: boolean;
  private readonly ramp: RampOptions | undefined;
  private readonly share: Share;
  /** When the ramp last raised the rate (the start, at first). */
  private rampAtMs: number;
  private changeAtMs: number;
  private startedSinceChange = 0;
  private paused = false;
  created = 0;
  refused = 0;
  /** Starts dropped because the run fell more than a second behind the rate. */
  notStarted = 0;
  /** The most the oldest due call was late (ms) since takeBehindMs() last read it. */
  private behindMs = 0;

  private readonly sharedCreated: Int32Array | undefined;

  constructor(o: SchedulerOptions, nowMs: number) {
    this.sharedCreated = o.sharedCreated;
    this.rate = o.rate;
    this.periodMs = o.periodMs;
    this.limit = o.limit;
    this.maxCalls = o.maxCalls;
    this.users = o.users;
    this.userMode = o.users > 0;
    this.ramp = o.ramp;
    this.share = o.share ?? WHOLE;
    this.rampAtMs = nowMs;
    this.changeAtMs = nowMs;
  }

  /** -l now (0: no cap); the control port's `set limit` changes it. */
  get currentLimit(): number {
    return this.limit;
  }

  setLimit(limit: number): void {
    this.limit = Math.max(0, Math.floor(limit));
  }

  /** -users now; the control port's `set users` and the + - * / keys change it in a -users run. */
  get currentUsers(): number {
    return this.users;
  }

  /** Fewer users take effect as their calls end: open calls are not cut short. */
  setUsers(users: number): void {
    this.users = Math.max(0, Math.floor(users));
  }

  /**
   * The ramp, looked at on every tick: every -rate_interval the rate grows by -rate_increase. SIPp compat
   * (ratetask.cpp): the rate may pass -rate_max only by being capped to it, and that is when the run stops
   * (soft, like q) unless -no_rate_quit; the next interval counts from the tick that raised the rate.
   * Returns 'quit' when the run should stop, 'changed' when the rate changed.
   */
  stepRamp(nowMs: number): 'quit' | 'changed' | undefined {
    const r = this.ramp;
    if (r === undefined || r.increase === 0 || r.intervalMs <= 0 || nowMs - this.rampAtMs < r.intervalMs) return undefined;
    this.rampAtMs = nowMs;
    let rate = this.rate + r.increase;
    let quit = false;
    if (r.max > 0 && rate > r.max) {
      rate = r.max;
      quit = r.quitAtMax;
    }
    this.setRate(rate, nowMs);
    return quit ? 'quit' : 'changed';
  }

  get currentRate(): number {
    return this.rate;
  }

  get isPaused(): boolean {
    return this.paused;
  }

  /** True once -m calls have been created (by the whole run, with a shared count). */
  get exhausted(): boolean {
    if (this.maxCalls <= 0) return false;
    return (this.sharedCreated === undefined ? this.created : Atomics.load(this.sharedCreated, 0)) >= this.maxCalls;
  }

  setRate(rate: number, nowMs: number): void {
    this.rate = Math.max(0, rate);
    this.changeAtMs = nowMs;
    this.startedSinceChange = 0;
  }

  pause(): void {
    this.paused = true;
  }

  resume(nowMs: number): void {
    if (!this.paused) return;
    this.paused = false;
    this.setRate(this.rate, nowMs);
  }

  /**
   * Number of calls to start now, given `open` calls in progress and `room` for new ones (free -tdmmap
   * circuits, say). Counts them as created; starts there is no room for are refused, like -l's.
   */
  due(nowMs: number, open: number, room = Number.POSITIVE_INFINITY): number {
    if (this.paused || this.exhausted) return 0;
    if (this.userMode) {
      // SIPp's -users: every user has one call open at a time; a user whose call ended starts another.
      const n = Math.min(
        this.users - open,
        MAX_STARTS_PER_TURN,
        this.maxCalls > 0 ? this.maxCalls - this.created : Number.POSITIVE_INFINITY,
        room,
      );
      if (n <= 0) return 0;
      this.created += n;
      return n;
    }
    let n = shareOf(callsDue(this.rate, this.periodMs, nowMs - this.changeAtMs), this.share) - this.startedSinceChange;
    if (n <= 0) return 0;
    // The saturation watch's "behind schedule": measured before the starts past a second are dropped.
    const late = this.lateMs(nowMs);
    if (late > this.behindMs) this.behindMs = late;
    const slack = Math.max(MAX_STARTS_PER_TURN, shareOf(Math.ceil((this.rate * 1000) / Math.max(1, this.periodMs)), this.share));
    if (n > slack) {
      // Dropped from the schedule, not from -m: a run with -m still makes its calls, later.
      this.notStarted += n - slack;
      this.startedSinceChange += n - slack;
      n = slack;
    }
    n = Math.min(n, MAX_STARTS_PER_TURN);
    if (this.maxCalls > 0) n = Math.min(n, this.maxCalls - this.created);
    let start = Math.min(n, room);
    if (this.limit > 0 && open + start > this.limit) start = Math.max(0, this.limit - open);
    this.refused += n - start;
    this.startedSinceChange += n;
    this.created += start;
    return start;
  }

  /**
   * How late (ms) the oldest call due and not yet started is now: call k after a rate change is due at
   * k × period / rate (callsDue). 0 when none is due, or the scheduler does not start calls at a rate now.
   */
  private lateMs(nowMs: number): number {
    if (this.userMode || this.paused || this.exhausted || this.rate <= 0) return 0;
    // This part's next call is the run's call number startedSinceChange·of + index (share.ts: a part takes every
    // of-th arrival from its index): it was due at that arrival's time.
    const of = Math.max(1, this.share.of);
    const next = this.startedSinceChange * of + (of > 1 ? this.share.index : 0);
    return Math.max(0, nowMs - (this.changeAtMs + (next * this.periodMs) / this.rate));
  }

  /** The most the run was behind its schedule (ms) since the previous call, now included; starts a new window. */
  takeBehindMs(nowMs: number): number {
    const worst = Math.max(this.behindMs, this.lateMs(nowMs));
    this.behindMs = 0;
    return worst;
  }

  /** Counts a call created by an incoming request (server mode). */
  noteCreated(): void {
    this.created++;
  }

  /**
   * Server mode: takes one of the -m calls for an incoming request, false when none is left. With a count
   * shared by workers, a compare-and-swap: two workers cannot both take the last call.
   */
  takeIncoming(): boolean {
    const shared = this.sharedCreated;
    if (shared !== undefined) {
      for (;;) {
        const n = Atomics.load(shared, 0);
        if (this.maxCalls > 0 && n >= this.maxCalls) return false;
        if (Atomics.compareExchange(shared, 0, n, n + 1) === n) break;
      }
    }
    this.created++;
    return true;
  }
}
