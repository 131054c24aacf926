/**
 * SIPp's -trace_error_codes file, <scenario>_<pid>_error_codes.csv: a row as the run starts, every -fd and
 * at the end, each the time, the time since the start, and the status codes of the unexpected responses
 * since the last row, newest first, each followed by a comma (SIPp compat: logger.cpp print_error_codes_file).
 */
import { appendFileSync, writeFileSync } from 'node:fs';
import { hmsUs, sippTime } from '../format.js';

export class ErrorCodesFile {
  constructor(
    readonly path: string,
    private readonly startEpochMs: number,
    private readonly delimiter = ';',
  ) {
    writeFileSync(path, '');
    this.write([], startEpochMs);
  }

  write(codes: readonly number[], nowEpochMs: number): void {
    let list = '';
    for (let i = codes.length - 1; i >= 0; i--) list += `${codes[i] ?? 0},`;
    const d = this.delimiter;
    appendFileSync(this.path, `${sippTime(nowEpochMs)}${d}${hmsUs(Math.floor(nowEpochMs - this.startEpochMs))}${d}${list}\n`);
  }
}
