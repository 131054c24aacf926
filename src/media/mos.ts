/**
 * An ESTIMATED MOS for a G.711 call from what the network did to it, by the E-model (ITU-T G.107)
 * simplified to the two impairments a network adds: delay (Id) and packet loss (Ie-eff). It is a planning
 * figure, not a listening test: labels that show it must say "estimate".
 *
 * R = 93.2 - Id - Ie-eff (+ A = 0)
 * - 93.2 is G.107's R for its default parameters (the default values of its parameter table
 *   give R = 93.2, as G.107 states).
 * - Id, the delay impairment, uses the common simplified approximation of G.107's delay terms (Idte, Idle, Idd)
 *   by Cole and Rosenbluth ("Voice over IP Performance Monitoring", ACM SIGCOMM CCR 31(2), 2001):
 *   Id = 0.024 d + 0.11 (d - 177.3) H(d - 177.3), d the one-way mouth-to-ear delay in ms, H the step function.
 * - Ie-eff, the equipment impairment with random or bursty loss (G.107's Ie-eff formula, with Ppl and BurstR):
 *   Ie-eff = Ie + (95 - Ie) * Ppl / (Ppl / BurstR + Bpl), Ppl the loss in percent, BurstR 1 for random loss.
 *   For G.711 Ie = 0, and Bpl = 4.3 without packet loss concealment or 25.1 with it (G.113 Appendix I,
 *   Table I.3, for random loss).
 * - R -> MOS by G.107 Annex B: MOS = 1 + 0.035 R + R (R - 60)(100 - R) 7e-6 for 0 < R < 100,
 *   1 below, 4.5 above. The cubic dips slightly under 1 for R below ~6.5; the result is held at 1 there,
 *   the scale's floor.
 */

/** G.107's R for its default parameters (no delay, no loss). */
export const R_DEFAULT = 93.2;
/** G.711's equipment impairment factor (G.113 Appendix I). */
export const IE_G711 = 0;
/** G.711's packet-loss robustness factor without / with packet loss concealment (G.113 Appendix I, Table I.3). */
export const BPL_G711 = 4.3;
export const BPL_G711_PLC = 25.1;

export interface MosInput {
  /** Packet loss in percent (0..100). */
  readonly lossPercent: number;
  /** One-way mouth-to-ear delay in ms (for an echo path, half the round trip, plus any jitter buffer). */
  readonly oneWayDelayMs: number;
  /** The receiver conceals lost packets (G.711 Appendix I PLC): Bpl 25.1 instead of 4.3. */
  readonly plc?: boolean;
  /** G.107's burst ratio: 1 for random loss, above 1 for bursty loss. */
  readonly burstRatio?: number;
}

/** Id: the delay impairment, Cole and Rosenbluth's approximation (see the file's comment). */
export function delayImpairment(oneWayDelayMs: number): number {
  const d = Math.max(0, oneWayDelayMs);
  return 0.024 * d + (d > 177.3 ? 0.11 * (d - 177.3) : 0);
}

/** Ie-eff: G.107's formula with G.711's Ie and Bpl. */
export function lossImpairment(lossPercent: number, plc = false, burstRatio = 1): number {
  const ppl = Math.min(100, Math.max(0, lossPercent));
  const bpl = plc ? BPL_G711_PLC : BPL_G711;
  return IE_G711 + ((95 - IE_G711) * ppl) / (ppl / burstRatio + bpl);
}

/** The transmission rating factor R. */
export function rFactor(input: MosInput): number {
  return R_DEFAULT - delayImpairment(input.oneWayDelayMs) - lossImpairment(input.lossPercent, input.plc ?? false, input.burstRatio ?? 1);
}

/** G.107 Annex B: R -> MOS (conversational quality, estimated), in 1..4.5. */
export function mosFromR(r: number): number {
  if (r <= 0) return 1;
  if (r >= 100) return 4.5;
  return Math.max(1, 1 + 0.035 * r + r * (r - 60) * (100 - r) * 7e-6);
}

/** The estimated MOS of a G.711 call. */
export function estimateMos(input: MosInput): number {
  return mosFromR(rFactor(input));
}
