/**
 * The HDR histograms behind every percentile: how one is made, read (one pass for all the percentiles a report
 * shows), encoded for the trip to another thread or machine, decoded and added. Live histograms and decoded ones
 * are read by the same code, so a run's own report and a report of merged runs agree.
 */
import { Buffer } from 'node:buffer';
import { createRequire } from 'node:module';
// The one histogram class used, not the package index: the index also loads the WebAssembly build and its
// decompressor, about 14 MB of resident memory for a feature sipts does not use (useWebAssembly: false).
import Float64HistogramModule from 'hdr-histogram-js/dist/Float64Histogram.js';
import type { JsHistogram } from 'hdr-histogram-js/dist/JsHistogram.js';
import ulpModule from 'hdr-histogram-js/dist/ulp.js';

/** The package's plain-JS encoder (it adds encodeIntoCompressedBase64 to every JsHistogram when loaded). */
type Encoding = typeof import('hdr-histogram-js/dist/JsHistogram.encoding.js');
let encoding: Encoding | undefined;
/**
 * Loaded on the first export, not with the stats: with pako and base64-js it measured +0.5 to 1 MB of peak
 * resident memory in a UAC run, which a run that never exports (every run before workers) need not pay.
 */
/** CommonJS require, its result unknown until narrowed (createRequire's is untyped). */
const load: (id: string) => unknown = createRequire(import.meta.url);
/** The module has what this file calls of it (its types are the package's own .d.ts). */
const isEncoding = (m: unknown): m is Encoding =>
  typeof m === 'object' &&
  m !== null &&
  'doDecode' in m &&
  typeof m.doDecode === 'function' &&
  'decompress' in m &&
  typeof m.decompress === 'function';
function codec(): Encoding {
  if (encoding !== undefined) return encoding;
  const m = load('hdr-histogram-js/dist/JsHistogram.encoding.js');
  if (!isEncoding(m))
    throw new Error('hdr-histogram-js: dist/JsHistogram.encoding.js has no doDecode or decompress (an unexpected version?)');
  return (encoding = m);
}

const Float64Histogram = Float64HistogramModule.default;
const ulp = ulpModule.default;

export interface HistogramSummary {
  readonly count: number;
  readonly minMs: number;
  readonly meanMs: number;
  readonly p50Ms: number;
  readonly p90Ms: number;
  readonly p99Ms: number;
  readonly p999Ms: number;
  readonly maxMs: number;
}

/**
 * A histogram as plain JSON: HdrHistogram's compressed V2 encoding (base64, readable by any HdrHistogram
 * library), and the exact smallest and largest values recorded, which the encoding keeps only to the precision
 * of their buckets. Values are microseconds; minUs and maxUs are 0 when nothing was recorded.
 */
export interface HistogramExport {
  readonly hdr: string;
  readonly minUs: number;
  readonly maxUs: number;
}

/**
 * HdrHistogram's index of a value by integer arithmetic, as HdrHistogram's Java original does with leading-zero
 * counts: the package computes it with two Math.pow and a Math.log2 per recorded value, ~0.3 µs of a call's
 * ~45 in a UAC at 3,000 calls/s (perf). Whole values from 1 to 2^31 - 1 (µs: 35 minutes) take this path; the
 * others, the package's own. The same index for every value (a unit test compares the two).
 */
export class IntIndexHistogram extends Float64Histogram {
  override countsArrayIndex(value: number): number {
    if ((value | 0) !== value || value < 1) return super.countsArrayIndex(value);
    const bucket = Math.max(31 - Math.clz32(value) - this.subBucketHalfCountMagnitude - this.unitMagnitude, 0);
    return ((bucket + 1) << this.subBucketHalfCountMagnitude) + (value >>> (bucket + this.unitMagnitude)) - this.subBucketHalfCount;
  }
}

export function newHistogram(): JsHistogram {
  // Microseconds, 1 µs to 1 hour, 3 significant digits: exact enough for any percentile we print. What
  // hdr.build does for bitBucketSize 64 without WebAssembly; longer values grow it (autoResize).
  const h = new IntIndexHistogram(1, 3_600_000_000, 3);
  h.autoResize = true;
  return h;
}

/** The exact extremes of a live histogram (it tracks them exactly; 0 and 0 when empty). */
const minUsOf = (h: JsHistogram): number => (h.totalCount === 0 ? 0 : h.minNonZeroValue);
const maxUsOf = (h: JsHistogram): number => (h.totalCount === 0 ? 0 : h.maxValue);

/** The summary of a live histogram, without encoding it: the once-a-second path of screens and stat rows. */
export const summarizeLive = (h: JsHistogram): HistogramSummary => summaryOf(h, minUsOf(h), maxUsOf(h));

export function encodeHistogram(h: JsHistogram): HistogramExport {
  return { hdr: encode(h), minUs: minUsOf(h), maxUs: maxUsOf(h) };
}

/** Throws on a string that is not an HdrHistogram V2 compressed encoding. */
export function decodeHistogram(e: HistogramExport): JsHistogram {
  // 64: counts in a Float64Array, as newHistogram()'s.
  const { doDecode, decompress } = codec();
  const h = doDecode(decompress(Buffer.from(e.hdr, 'base64')), 64);
  h.autoResize = true;
  return h;
}

export const summarizeExport = (e: HistogramExport): HistogramSummary => summaryOf(decodeHistogram(e), e.minUs, e.maxUs);

/** The histogram of the values of both (HdrHistogram's add), with the extremes of both. */
export function mergeHistograms(a: HistogramExport, b: HistogramExport): HistogramExport {
  const h = decodeHistogram(a);
  const other = decodeHistogram(b);
  const empty = (x: JsHistogram): boolean => x.totalCount === 0;
  if (empty(other)) return a;
  if (empty(h)) return b;
  h.add(other);
  return { hdr: encode(h), minUs: Math.min(a.minUs, b.minUs), maxUs: Math.max(a.maxUs, b.maxUs) };
}

function encode(h: JsHistogram): string {
  codec();
  return h.encodeIntoCompressedBase64();
}

const EMPTY: HistogramSummary = { count: 0, minMs: 0, meanMs: 0, p50Ms: 0, p90Ms: 0, p99Ms: 0, p999Ms: 0, maxMs: 0 };
/** The percentiles every report shows, in the order of the summary's p… fields. */
const PERCENTILES = [50, 90, 99, 99.9] as const;

/**
 * Count, percentiles and mean in one pass over the counts. HdrHistogram's own getValueAtPercentile walks the
 * counts once per percentile, and its mean goes through an iterator that measured ~12 ms for a histogram of
 * 100,000 response times: per histogram, per second, for the live screen. The results are HdrHistogram's to the
 * bit (the same rank rule, bucket edges and sums, in the same order; a unit test compares them).
 */
function summaryOf(h: JsHistogram, minUs: number, maxUs: number): HistogramSummary {
  const total = h.totalCount;
  if (total === 0) return EMPTY;
  // HdrHistogram's rank: the count at or above p% of the total, rounded up past floating-point error, at least 1.
  const ranks = PERCENTILES.map((p) => {
    const fp = (p / 100) * total;
    return Math.max(Math.ceil(fp - ulp(fp)), 1);
  });
  const values: number[] = [];
  let seen = 0;
  let sum = 0;
  for (let i = 0; i < h.countsArrayLength && seen < total; i++) {
    const c = h.getCountAtIndex(i);
    if (c === 0) continue;
    seen += c;
    const v = h.valueFromIndex(i);
    sum += h.medianEquivalentValue(v) * c;
    while (values.length < ranks.length && seen >= (ranks[values.length] ?? 0)) values.push(h.highestEquivalentValue(v));
  }
  const ms = (us: number): number => Math.round(us) / 1000;
  // A percentile is reported as its bucket's upper edge, which can overshoot the exact max: clamp it.
  const at = (k: number): number => ms(Math.min(values[k] ?? maxUs, maxUs));
  return {
    count: total,
    minMs: ms(minUs),
    meanMs: ms(sum / total),
    p50Ms: at(0),
    p90Ms: at(1),
    p99Ms: at(2),
    p999Ms: at(3),
    maxMs: ms(maxUs),
  };
}
