/** One part of a run split over worker threads (-workers): its own figures, for the screen that sets them side by side. */
export interface PartFigures {
  /** The worker's number, from 0. */
  readonly index: number;
  /** Its local SIP port (the port it sends from; the shared one for an answering run). */
  readonly localPort: number | undefined;
  readonly elapsedMs: number;
  readonly created: number;
  readonly successful: number;
  readonly failed: number;
  readonly openCalls: number;
  /** The most it was behind its schedule (ms) in its last report second: a part can fall behind alone. */
  readonly behindMs: number;
  /** Ended (its 'done' came). */
  readonly ended: boolean;
}
