/**
 * Static RTP payload types and their clock rates, RFC 3551 §6 (Tables 4 and 5). Types 96-127 are dynamic: their
 * meaning comes from SDP (a=rtpmap), so a capture alone does not say their clock rate.
 */
const STATIC_CLOCK_RATES: ReadonlyMap<number, number> = new Map([
  [0, 8000], // PCMU
  [3, 8000], // GSM
  [4, 8000], // G723
  [5, 8000], // DVI4
  [6, 16000], // DVI4
  [7, 8000], // LPC
  [8, 8000], // PCMA
  [9, 8000], // G722: 8000 though sampled at 16 kHz, RFC 3551 §4.5.2
  [10, 44100], // L16 stereo
  [11, 44100], // L16 mono
  [12, 8000], // QCELP
  [13, 8000], // CN
  [14, 90000], // MPA
  [15, 8000], // G728
  [16, 11025], // DVI4
  [17, 22050], // DVI4
  [18, 8000], // G729
  [25, 90000], // CelB
  [26, 90000], // JPEG
  [28, 90000], // nv
  [31, 90000], // H261
  [32, 90000], // MPV
  [33, 90000], // MP2T
  [34, 90000], // H263
]);

export const PT_PCMU = 0;
export const PT_PCMA = 8;

export function staticClockRate(payloadType: number): number | undefined {
  return STATIC_CLOCK_RATES.get(payloadType);
}
