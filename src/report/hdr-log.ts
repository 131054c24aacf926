/**
 * --hdr-log FILE: the run's histograms as an HdrHistogram interval log, format 1.3 (HdrHistogram's
 * HistogramLogWriter and HistogramLogReader, Java: the header comments, the legend, then one line per interval
 * per histogram, `Tag=NAME,start,length,max,base64`). Each interval is the difference of two cumulative
 * exports, so the log needs no window of its own in the engine and adds up, over its intervals, to the
 * run's histograms. Values are microseconds; the Interval_Max column is in milliseconds.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import type { JsHistogram } from 'hdr-histogram-js/dist/JsHistogram.js';
import { decodeHistogram, encodeHistogram, type HistogramExport } from '../stats/histogram.js';
import type { StatsExport } from '../stats/stats.js';

const LOG_FORMAT_VERSION = '1.3';
/** Values are µs: Interval_Max in ms, as HdrHistogram's tools print them with their default of ms output. */
const MAX_VALUE_UNIT_RATIO = 1000;
export const CALL_LENGTH_TAG = 'call-length';
/** A tag may hold neither ',' nor whitespace (HistogramLogReader splits on them). */
export const responseTimeTag = (rtdName: string): string => `response-time-${rtdName.replace(/[,\s]/g, '_')}`;

const secs = (ms: number): string => (ms / 1000).toFixed(3);

export class HdrLog {
  private readonly fd: number;
  private previous = new Map<string, JsHistogram>();
  private intervalStartMs: number;

  /** `startMs`: the run's start (epoch ms); interval timestamps are seconds since it (the log's BaseTime). */
  constructor(
    path: string,
    private readonly startMs: number,
    version: string,
  ) {
    this.fd = openSync(path, 'w');
    this.intervalStartMs = startMs;
    this.out(
      [
        `#[Logged with sipts ${version}]`,
        `#[Histogram log format version ${LOG_FORMAT_VERSION}]`,
        `#[StartTime: ${secs(startMs)} (seconds since epoch), ${new Date(startMs).toISOString()}]`,
        `#[BaseTime: ${secs(startMs)} (seconds since epoch)]`,
        '"StartTimestamp","Interval_Length","Interval_Max","Interval_Compressed_Histogram"',
        '',
      ].join('\n'),
    );
  }

  /** The interval since the previous call: one line per histogram that recorded something in it. */
  write(e: StatsExport, nowMs: number): void {
    const start = this.intervalStartMs - this.startMs;
    const length = Math.max(0, nowMs - this.intervalStartMs);
    this.intervalStartMs = nowMs;
    const all: [string, HistogramExport][] = [
      ...e.rtd.map((r): [string, HistogramExport] => [responseTimeTag(r.name), r.hist]),
      [CALL_LENGTH_TAG, e.callLength],
    ];
    let lines = '';
    for (const [tag, hist] of all) {
      const now = decodeHistogram(hist);
      const interval = this.since(tag, now);
      this.previous.set(tag, now);
      if (interval.totalCount === 0) continue;
      lines += `Tag=${tag},${secs(start)},${secs(length)},${(interval.maxValue / MAX_VALUE_UNIT_RATIO).toFixed(3)},${encodeHistogram(interval).hdr}\n`;
    }
    if (lines !== '') this.out(lines);
  }

  close(e: StatsExport, nowMs: number): void {
    this.write(e, nowMs);
    closeSync(this.fd);
  }

  /** The values recorded since the previous interval; after a `reset stats`, the cumulative ones since it. */
  private since(tag: string, now: JsHistogram): JsHistogram {
    const before = this.previous.get(tag);
    const interval = decodeHistogram(encodeHistogram(now));
    if (before === undefined || before.totalCount === 0) return interval;
    if (before.totalCount > now.totalCount) return interval;
    try {
      interval.subtract(before);
    } catch {
      return decodeHistogram(encodeHistogram(now));
    }
    return interval;
  }

  private out(text: string): void {
    writeSync(this.fd, text);
  }
}
