/**
 * An append-only text file written in blocks: traces can see thousands of lines a second, so lines are
 * gathered and written 64 KiB at a time, or at the end of the event-loop turn that wrote them, never one syscall
 * per line. SIPp writes each line at once: a script that reads the file once the peer answered finds the line.
 * SIPp's -X_overwrite false appends to what is there; -ringbuffer_size/-ringbuffer_files rotate the file and
 * -max_log_size stops it, as SIPp's logger does.
 */
import { closeSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { messageOf } from '../thrown.js';

const BLOCK_CHARS = 1 << 16;

export interface LogFileOptions {
  /** latin1 for files of wire messages (byte strings, one char per byte); utf8 for text from scenarios. */
  readonly encoding?: 'latin1' | 'utf8';
  /** -X_overwrite false: add to the file instead of starting it afresh. */
  readonly append?: boolean;
  /** -ringbuffer_size: once more than this many bytes were written, the file is rotated (0: never). */
  readonly rotateBytes?: number;
  /** -ringbuffer_files: rotated files kept; 0: the file simply starts afresh (SIPp compat). */
  readonly keepFiles?: number;
  /** Rotated files are named PREFIX_<start>.log (PREFIX_<start>.<n>.log for a second one that second): SIPp's <scenario>_<pid>_<name>. */
  readonly rotatedPrefix?: string;
  /** -max_log_size: once more than this many bytes were written, nothing more is (0: no limit). */
  readonly maxBytes?: number;
  /** Wall-clock time (ms since the epoch): when a file starts, for rotated names. */
  readonly now?: () => number;
}

export class LogFile {
  private fd: number;
  private parts: string[] = [];
  private size = 0;
  private closed = false;
  private readonly encoding: 'latin1' | 'utf8';
  /** Bytes written since the file (re)started, the header apart (SIPp counts what its traces print). */
  private count = 0;
  private startSec: number;
  /** Rotated files kept, oldest first: their start second and same-second number. */
  private readonly rotated: { start: number; n: number }[] = [];
  /** Why writing the file stopped (a write error), or undefined while it works. */
  failed: string | undefined = undefined;
  /** Writes what waits once the event-loop turn that wrote it is over. */
  private flushTimer: NodeJS.Immediate | undefined;

  /** Creates, truncates or (append) opens the file now, so a bad path is reported before any traffic. */
  constructor(
    readonly path: string,
    header = '',
    private readonly o: LogFileOptions = {},
  ) {
    this.encoding = o.encoding ?? 'latin1';
    this.fd = openSync(path, o.append === true ? 'a' : 'w');
    this.startSec = this.nowSec();
    if (header !== '') {
      this.parts.push(header);
      this.size += header.length;
    }
  }

  write(text: string): void {
    if (this.closed) return;
    this.parts.push(text);
    this.size += text.length;
    this.count += this.encoding === 'latin1' ? text.length : Buffer.byteLength(text);
    const max = this.o.maxBytes ?? 0;
    const rotate = this.o.rotateBytes ?? 0;
    if (max > 0 && this.count > max) this.close();
    else if (rotate > 0 && this.count > rotate) this.rotate();
    else if (this.size >= BLOCK_CHARS) this.flush();
    else if (this.flushTimer === undefined) {
      this.flushTimer = setImmediate(() => {
        this.flushTimer = undefined;
        this.flush();
      });
      this.flushTimer.unref();
    }
  }

  flush(): void {
    if (this.size === 0 || this.closed) return;
    const text = this.parts.join('');
    this.parts = [];
    this.size = 0;
    try {
      writeSync(this.fd, Buffer.from(text, this.encoding));
    } catch (e) {
      // A full disk or a failing device ends this trace, never the run (it may flush from an immediate).
      this.failed = messageOf(e);
      this.closed = true;
      clearImmediate(this.flushTimer);
      try {
        closeSync(this.fd);
      } catch {
        // already unusable
      }
    }
  }

  close(): void {
    if (this.closed) return;
    this.flush();
    if (this.failed !== undefined) return; // the write failed: the file is closed already
    clearImmediate(this.flushTimer);
    this.closed = true;
    closeSync(this.fd);
  }

  /** SIPp compat (logger.cpp rotatef): the full file moves aside under its start time, the oldest beyond -ringbuffer_files goes, and the file starts afresh. */
  private rotate(): void {
    this.flush();
    if (this.failed !== undefined) return;
    closeSync(this.fd);
    const keep = this.o.keepFiles ?? 0;
    const prefix = this.o.rotatedPrefix ?? this.path.replace(/\.log$/, '');
    if (keep > 0) {
      if (this.rotated.length >= keep) {
        const oldest = this.rotated.shift();
        if (oldest !== undefined) rmSync(rotatedName(prefix, oldest), { force: true });
      }
      const last = this.rotated[this.rotated.length - 1];
      const entry = { start: this.startSec, n: last !== undefined && last.start === this.startSec ? last.n + 1 : 0 };
      this.rotated.push(entry);
      renameSync(this.path, rotatedName(prefix, entry));
    }
    this.fd = openSync(this.path, 'w');
    this.startSec = this.nowSec();
    this.count = 0;
  }

  private nowSec(): number {
    return Math.floor((this.o.now?.() ?? Date.now()) / 1000);
  }
}

function rotatedName(prefix: string, r: { start: number; n: number }): string {
  return r.n > 0 ? `${prefix}_${r.start}.${r.n}.log` : `${prefix}_${r.start}.log`;
}
