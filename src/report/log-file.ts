/**
 * An append-only text file written in blocks: traces can see thousands of lines a second, so lines are
 * gathered and written 64 KiB at a time (and by flush() on the report tick), never one syscall per line.
 */
import { closeSync, openSync, writeSync } from 'node:fs';

const BLOCK_CHARS = 1 << 16;

export class LogFile {
  private readonly fd: number;
  private parts: string[] = [];
  private size = 0;
  private closed = false;

  /** Creates or truncates the file now, so a bad path is reported before any traffic. */
  /** latin1 for files of wire messages (byte strings, one char per byte); utf8 for text from scenarios. */
  constructor(readonly path: string, header = '', private readonly encoding: 'latin1' | 'utf8' = 'latin1') {
    this.fd = openSync(path, 'w');
    if (header !== '') this.write(header);
  }

  write(text: string): void {
    if (this.closed) return;
    this.parts.push(text);
    this.size += text.length;
    if (this.size >= BLOCK_CHARS) this.flush();
  }

  flush(): void {
    if (this.size === 0 || this.closed) return;
    writeSync(this.fd, Buffer.from(this.parts.join(''), this.encoding));
    this.parts = [];
    this.size = 0;
  }

  close(): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    closeSync(this.fd);
  }
}
