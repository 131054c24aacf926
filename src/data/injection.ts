/**
 * SIPp injection files (-inf): a first line SEQUENTIAL, RANDOM or USER (optionally with PRINTF=N,
 * PRINTF_MULTIPLE=K, PRINTF_OFFSET=O), then one line of ';'-separated fields per call. Every problem names
 * file and line, all before the first call.
 *
 * Not csv-parse (the design's choice for this file until issue 21): even in its streaming form it builds an
 * array of strings and an info object per record, and a million-line file took 38 s and 3.9 GB to load.
 * The lines are indexed in one pass over the file's bytes instead (line-table.ts) and a field is cut out
 * when a call reads it. SIPp's own format needs no more: no quoting, ';' always separates.
 */
import type { Diagnostic } from '../errors.js';
import { KeyIndex } from './key-index.js';
import { LineTable } from './line-table.js';

export type LineOrder = 'SEQUENTIAL' | 'RANDOM' | 'USER';

export interface InjectionFile {
  /** The path as the user gave it: [fieldN file="…"] names a file this way (or by its base name). */
  readonly path: string;
  readonly order: LineOrder;
  /** The data lines (the first line and comments left out), kept as the file's bytes and an index. */
  readonly lines: LineTable;
  /** PRINTF=N: the lines are used as N virtual lines whose %d (or %0Nd …) is the virtual line number. */
  readonly printf: { readonly count: number; readonly multiple: number; readonly offset: number } | undefined;
}

/** Number of lines calls pick from. */
export function lineCount(f: InjectionFile): number {
  return f.printf === undefined ? f.lines.count : f.printf.count;
}

/** Field `field` of virtual line `line` (0-based), '' when the line has no such field. */
export function fieldValue(f: InjectionFile, line: number, field: number): string {
  if (f.lines.count === 0 || line < 0) return '';
  return withPrintf(f.lines.field(line % f.lines.count, field), f.printf, line);
}

/** The line number in the file (1-based) of data line `i`: for errors about it. */
export function lineNumberOf(f: InjectionFile, i: number): number {
  return f.lines.lineNumberOf(i);
}

function withPrintf(raw: string, printf: InjectionFile['printf'], line: number): string {
  // Most fields of a PRINTF file hold no %: no replace (and no new string) for those.
  if (printf === undefined || !raw.includes('%')) return raw;
  const n = line * printf.multiple + printf.offset;
  // SIPp compat: printf-style %d with optional zero padding and width.
  return raw.replace(/%(0?)(\d*)d/g, (_m, zero: string, width: string) => String(n).padStart(Number(width || 0), zero === '0' ? '0' : ' '));
}

export function parseInjection(path: string, text: string | Buffer, diagnostics: Diagnostic[]): InjectionFile | undefined {
  const at = (line: number, message: string, hint?: string): void => {
    diagnostics.push({ file: path, line, col: 1, message, ...(hint === undefined ? {} : { hint }) });
  };
  const bytes = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
  // The first line that is neither empty nor a comment says how lines are used.
  let pos = 0;
  let lineNo = 1;
  let head: string | undefined;
  while (pos < bytes.length && head === undefined) {
    const nl = bytes.indexOf(0x0a, pos);
    const next = nl < 0 ? bytes.length : nl + 1;
    const line = bytes.toString('utf8', pos, nl < 0 ? bytes.length : nl).replace(/\r$/, '');
    if (line !== '' && !line.startsWith('#')) head = line;
    else lineNo++;
    pos = next;
  }
  if (head === undefined) {
    at(1, 'the injection file is empty', 'its first line is SEQUENTIAL, RANDOM or USER, then one line of fields per call, separated by ;');
    return undefined;
  }
  const words = (head.split(';')[0] ?? '').split(',').map((w) => w.trim());
  const order = words[0];
  if (order !== 'SEQUENTIAL' && order !== 'RANDOM' && order !== 'USER') {
    at(lineNo, `the first line is "${head}", expected SEQUENTIAL, RANDOM or USER`, 'e.g. SEQUENTIAL, or RANDOM,PRINTF=1000');
    return undefined;
  }
  let count = 0;
  let multiple = 1;
  let offset = 0;
  for (const w of words.slice(1)) {
    const m = /^(PRINTF|PRINTF_MULTIPLE|PRINTF_OFFSET)=(\d+)$/.exec(w);
    if (m === null) {
      at(lineNo, `unknown setting "${w}" on the first line`, 'settings are PRINTF=N, PRINTF_MULTIPLE=N and PRINTF_OFFSET=N');
      continue;
    }
    const n = Number(m[2]);
    if (m[1] === 'PRINTF') count = n;
    else if (m[1] === 'PRINTF_MULTIPLE') multiple = n;
    else offset = n;
  }
  const lines = LineTable.scan(bytes, pos, lineNo + 1);
  if (lines.count === 0) {
    at(lineNo, 'the injection file has no data lines', 'add one line of fields per call after the first line, e.g. alice;secret');
    return undefined;
  }
  return { path, order, lines, printf: count > 0 ? { count, multiple, offset } : undefined };
}

/** Lines named one by one when too few fields; past these, one more diagnostic counts the rest. */
const FIELD_ERRORS_NAMED = 50;

/**
 * Every data line must hold the fields the scenario reads ([field0] … [fieldN]). A file of a million short
 * lines would make a million diagnostics: the first FIELD_ERRORS_NAMED are named, the rest counted.
 */
export function checkFieldCount(f: InjectionFile, highestField: number, diagnostics: Diagnostic[]): void {
  if (highestField < 0 || f.lines.minFields > highestField) return;
  let bad = 0;
  let lastLine = 0;
  for (let i = 0; i < f.lines.count; i++) {
    const n = f.lines.fieldCount(i);
    if (n > highestField) continue;
    bad++;
    lastLine = f.lines.lineNumberOf(i);
    if (bad > FIELD_ERRORS_NAMED) continue;
    diagnostics.push({
      file: f.path,
      line: lastLine,
      col: 1,
      message: `this line has ${n} field${n === 1 ? '' : 's'}, but the scenario reads [field${highestField}]`,
      hint: `give every line at least ${highestField + 1} fields separated by ;`,
    });
  }
  if (bad > FIELD_ERRORS_NAMED) {
    diagnostics.push({
      file: f.path,
      line: lastLine,
      col: 1,
      message: `and ${bad - FIELD_ERRORS_NAMED} more lines with fewer than ${highestField + 1} fields, up to this one`,
      hint: `give every line at least ${highestField + 1} fields separated by ;`,
    });
  }
}

/** Slots of each file's field cache: a message reads the same few fields of its call's line several times. */
const CACHE = 64;

/** One file of a store: its lines as read, and what <replace> and <insert> changed since. */
interface FileState {
  readonly file: InjectionFile;
  readonly table: LineTable;
  /** <replace>d lines, by line: their fields. */
  readonly replaced: Map<number, string[]>;
  /** <insert>ed lines, after the file's own. */
  readonly appended: string[][];
  /** field → key → line (-infindex). */
  readonly indexes: Map<number, KeyIndex>;
  /** A direct-mapped cache of field values by (line, field); line -1 marks an empty slot. */
  readonly cacheLine: Int32Array;
  readonly cacheField: Int32Array;
  readonly cacheValue: string[];
}

/**
 * The injection files of a run, with the -infindex indexes. <insert> and <replace> change lines while the
 * run goes on; indexes follow. The file's own lines stay as read (bytes and an index); changed and added
 * lines are kept apart as arrays of fields.
 */
export class InjectionStore {
  private readonly state: FileState[];

  constructor(
    readonly files: readonly InjectionFile[],
    indexed: readonly { readonly file: number; readonly field: number }[] = [],
  ) {
    this.state = files.map((file) => ({
      file,
      table: file.lines,
      replaced: new Map(),
      appended: [],
      indexes: new Map(),
      cacheLine: new Int32Array(CACHE).fill(-1),
      cacheField: new Int32Array(CACHE),
      cacheValue: new Array<string>(CACHE).fill(''),
    }));
    for (const { file, field } of indexed) {
      const s = this.state[file];
      if (s !== undefined) s.indexes.set(field, new KeyIndex(s.table, field));
    }
  }

  lineCount(file: number): number {
    const s = this.state[file];
    if (s === undefined) return 0;
    return s.file.printf === undefined ? s.table.count + s.appended.length : s.file.printf.count;
  }

  field(file: number, line: number, field: number): string {
    const s = this.state[file];
    if (s === undefined || line < 0) return '';
    const total = s.table.count + s.appended.length;
    if (total === 0) return '';
    const row = line % total;
    return withPrintf(this.raw(s, row, field) ?? '', s.file.printf, line);
  }

  /** Field `field` of line `row` as stored, undefined when the line has fewer fields. */
  private raw(s: FileState, row: number, field: number): string | undefined {
    if (row >= s.table.count) return s.appended[row - s.table.count]?.[field];
    if (s.replaced.size > 0) {
      const fields = s.replaced.get(row);
      if (fields !== undefined) return fields[field];
    }
    const slot = (row * 8 + field) & (CACHE - 1);
    if (s.cacheLine[slot] === row && s.cacheField[slot] === field) return s.cacheValue[slot];
    const value = s.table.field(row, field);
    s.cacheLine[slot] = row;
    s.cacheField[slot] = field;
    s.cacheValue[slot] = value;
    return value;
  }

  /** The line whose indexed field is `key`, or -1 (also when the field has no -infindex). */
  lookup(file: number, field: number, key: string): number {
    return this.state[file]?.indexes.get(field)?.get(key) ?? -1;
  }

  /** The first indexed field of a file, for <lookup> without a field. */
  indexedField(file: number): number | undefined {
    return this.state[file]?.indexes.keys().next().value;
  }

  insert(file: number, value: string): void {
    const s = this.state[file];
    if (s === undefined) return;
    s.appended.push(value.split(';'));
    this.reindexRow(s, s.table.count + s.appended.length - 1);
  }

  replace(file: number, line: number, value: string): void {
    const s = this.state[file];
    if (s === undefined || !Number.isInteger(line) || line < 0 || line >= s.table.count + s.appended.length) return;
    for (const [field, index] of s.indexes) {
      const k = this.stored(s, line, field);
      if (k !== undefined && index.get(k) === line) index.delete(k);
    }
    const fields = value.split(';');
    if (line >= s.table.count) s.appended[line - s.table.count] = fields;
    else {
      s.replaced.set(line, fields);
      for (let slot = 0; slot < CACHE; slot++) if (s.cacheLine[slot] === line) s.cacheLine[slot] = -1;
    }
    this.reindexRow(s, line);
  }

  /** Field `field` of line `row`, undefined when the line has fewer fields (an index skips those). */
  private stored(s: FileState, row: number, field: number): string | undefined {
    if (row < s.table.count && !s.replaced.has(row) && field >= s.table.fieldCount(row)) return undefined;
    return this.raw(s, row, field);
  }

  private reindexRow(s: FileState, line: number): void {
    // As SIPp: the line inserted or replaced last is the one its key finds.
    for (const [field, index] of s.indexes) {
      const k = this.stored(s, line, field);
      if (k !== undefined) index.set(k, line);
    }
  }
}
