/**
 * The names an engine gives what it makes: the Call-IDs of the calls it places, the Via branches of its
 * requests ([branch]) and its [dynamic_id] counter. An object each engine owns, so two engines in one process
 * (a run's -oocsf / -rxsf engines, the demo's UAC and UAS, tests) never name two calls or two transactions
 * alike (RFC 3261 §8.1.1.4: a Call-ID is unique; §8.1.1.7: so is a branch).
 */
import { randomBytes } from 'node:crypto';
import type { Share } from '../load/share.js';
import { callIdMaker, callIdsUnique, type CallIdType } from './call-id.js';
import { DEFAULT_DYNAMIC_ID, DynamicIdCounter } from './dynamic-id.js';

/** Engines made so far in this process: the first one alone names its ids by the pid, as SIPp does. */
let engines = 0;

export interface IdSpaceOptions {
  readonly pid: number;
  /** Host part of generated Call-IDs (%s). */
  readonly callIdHost: string;
  /** -cid_str: %u call number, %p the process (see tag), %s local IP, %% a %. */
  readonly callIdFormat?: string | undefined;
  /** -cid_type: SIPp's Call-ID modes after 3.7 (format: -cid_str). */
  readonly callIdType?: CallIdType | undefined;
  /** -dynamicStart, -dynamicMax, -dynamicStep. */
  readonly dynamicId?: { readonly start: number; readonly max: number; readonly step: number } | undefined;
  /**
   * -workers or --segment: the engine runs part k of N (a segment's worker: its nested part, load/share.ts), in a
   * thread or process whose first engine would otherwise take the pid alone too; segments in containers often
   * all have pid 1.
   */
  readonly share?: Share | undefined;
}

export class IdSpace {
  /**
   * What names this engine in its Call-IDs (%p) and branches (z9hG4bK-<tag>-<call>-<message>). SIPp compat: the
   * process's first engine uses the pid alone, so a run's main scenario sends what SIPp sends; each later one
   * adds its instance number and random bits (another process of the same pid, in another container, must not
   * collide either). A -cid_str without %p names calls as the user asked, even alike.
   */
  readonly tag: string;
  /** [dynamic_id]: one counter for the engine's calls (SIPp: a static of class call). */
  readonly dynamicIds: DynamicIdCounter;
  /** The Call-ID of the call placed with this number: -cid_str, compiled once, or SIPp's %u-%p@%s. */
  readonly callIdOf: (callNumber: number) => string;
  /** callIdOf never gives two call numbers the same Call-ID (call-id.ts callIdsUnique). */
  readonly uniqueCallIds: boolean;

  constructor(o: IdSpaceOptions) {
    const instance = engines++;
    // Each worker thread (and each segment's process) counts its engines from 0: its part number keeps its names
    // apart from the other parts'.
    const base = o.share === undefined || o.share.of <= 1 ? String(o.pid) : `${o.pid}.w${o.share.index}`;
    this.tag = instance === 0 ? base : `${base}.${instance.toString(36)}${randomBytes(3).toString('hex')}`;
    const type = o.callIdType ?? 'format';
    const format = o.callIdFormat ?? '%u-%p@%s';
    this.callIdOf = callIdMaker(type, format, this.tag, o.callIdHost);
    this.uniqueCallIds = callIdsUnique(type, format);
    const d = o.dynamicId ?? DEFAULT_DYNAMIC_ID;
    this.dynamicIds = new DynamicIdCounter(d.start, d.max, d.step);
  }
}
