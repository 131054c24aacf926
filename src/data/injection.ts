/**
 * SIPp injection files (-inf): a first line SEQUENTIAL, RANDOM or USER (optionally with PRINTF=N,
 * PRINTF_MULTIPLE=K, PRINTF_OFFSET=O), then one line of ';'-separated fields per call. Parsed with
 * csv-parse; every problem names file and line.
 */
import { parse } from 'csv-parse/sync';
import type { Diagnostic } from '../errors.js';

export type LineOrder = 'SEQUENTIAL' | 'RANDOM' | 'USER';

export interface InjectionFile {
  /** The path as the user gave it: [fieldN file="…"] names a file this way (or by its base name). */
  readonly path: string;
  readonly order: LineOrder;
  readonly rows: readonly { readonly fields: readonly string[]; readonly line: number }[];
  /** PRINTF=N: the rows are used as N virtual lines whose %d (or %0Nd …) is the virtual line number. */
  readonly printf: { readonly count: number; readonly multiple: number; readonly offset: number } | undefined;
}

/** Number of lines calls pick from. */
export function lineCount(f: InjectionFile): number {
  return f.printf === undefined ? f.rows.length : f.printf.count;
}

/** Field `field` of virtual line `line` (0-based), '' when the line has no such field. */
export function fieldValue(f: InjectionFile, line: number, field: number): string {
  return valueOf(f.rows, f.printf, line, field);
}

function valueOf(rows: readonly { readonly fields: readonly string[] }[], printf: InjectionFile['printf'], line: number, field: number): string {
  if (rows.length === 0 || line < 0) return '';
  const row = rows[line % rows.length];
  const raw = row?.fields[field] ?? '';
  if (printf === undefined) return raw;
  const n = line * printf.multiple + printf.offset;
  // SIPp compat: printf-style %d with optional zero padding and width.
  return raw.replace(/%(0?)(\d*)d/g, (_m, zero: string, width: string) => String(n).padStart(Number(width || 0), zero === '0' ? '0' : ' '));
}

export function parseInjection(path: string, text: string, diagnostics: Diagnostic[]): InjectionFile | undefined {
  const at = (line: number, message: string, hint?: string): void => {
    diagnostics.push({ file: path, line, col: 1, message, ...(hint === undefined ? {} : { hint }) });
  };
  let records: { record: string[]; info: { lines: number } }[];
  try {
    // csv-parse's typings do not follow the info option; its documented record shape is { record, info }.
    records = parse(text, { delimiter: ';', relax_column_count: true, comment: '#', quote: false, skip_empty_lines: true, info: true }) as unknown as { record: string[]; info: { lines: number } }[];
  } catch (e) {
    at(1, `cannot read the injection file: ${e instanceof Error ? e.message : String(e)}`);
    return undefined;
  }
  const head = records[0];
  if (head === undefined) {
    at(1, 'the injection file is empty', 'its first line is SEQUENTIAL, RANDOM or USER, then one line of fields per call, separated by ;');
    return undefined;
  }
  const words = (head.record[0] ?? '').split(',').map((w) => w.trim());
  const order = words[0];
  if (order !== 'SEQUENTIAL' && order !== 'RANDOM' && order !== 'USER') {
    at(head.info.lines, `the first line is "${head.record.join(';')}", expected SEQUENTIAL, RANDOM or USER`, 'e.g. SEQUENTIAL, or RANDOM,PRINTF=1000');
    return undefined;
  }
  let count = 0;
  let multiple = 1;
  let offset = 0;
  for (const w of words.slice(1)) {
    const m = /^(PRINTF|PRINTF_MULTIPLE|PRINTF_OFFSET)=(\d+)$/.exec(w);
    if (m === null) { at(head.info.lines, `unknown setting "${w}" on the first line`, 'settings are PRINTF=N, PRINTF_MULTIPLE=N and PRINTF_OFFSET=N'); continue; }
    const n = Number(m[2]);
    if (m[1] === 'PRINTF') count = n; else if (m[1] === 'PRINTF_MULTIPLE') multiple = n; else offset = n;
  }
  const rows = records.slice(1).map((r) => ({ fields: r.record, line: r.info.lines }));
  if (rows.length === 0) {
    at(head.info.lines, 'the injection file has no data lines', 'add one line of fields per call after the first line, e.g. alice;secret');
    return undefined;
  }
  return { path, order, rows, printf: count > 0 ? { count, multiple, offset } : undefined };
}

/** Every data line must hold the fields the scenario reads ([field0] … [fieldN]). */
export function checkFieldCount(f: InjectionFile, highestField: number, diagnostics: Diagnostic[]): void {
  if (highestField < 0) return;
  for (const r of f.rows) {
    if (r.fields.length <= highestField) {
      diagnostics.push({
        file: f.path, line: r.line, col: 1,
        message: `this line has ${r.fields.length} field${r.fields.length === 1 ? '' : 's'}, but the scenario reads [field${highestField}]`,
        hint: `give every line at least ${highestField + 1} fields separated by ;`,
      });
    }
  }
}

/**
 * The injection files of a run, with the -infindex indexes. <insert> and <replace> change rows while the
 * run goes on; indexes follow.
 */
export class InjectionStore {
  private readonly rows: { fields: string[]; line: number }[][];
  /** file → field → key → line. */
  private readonly indexes: Map<number, Map<string, number>>[];

  constructor(readonly files: readonly InjectionFile[], indexed: readonly { readonly file: number; readonly field: number }[] = []) {
    this.rows = files.map((f) => f.rows.map((r) => ({ fields: [...r.fields], line: r.line })));
    this.indexes = files.map(() => new Map<number, Map<string, number>>());
    for (const { file, field } of indexed) {
      const index = new Map<string, number>();
      // SIPp compat: SIPp 3.6.1 indexes line after line, each replacing the one before with the same key, so a
      // key found on several lines looks up the last of them.
      this.rows[file]?.forEach((r, i) => { const k = r.fields[field]; if (k !== undefined) index.set(k, i); });
      this.indexes[file]?.set(field, index);
    }
  }

  lineCount(file: number): number {
    const f = this.files[file];
    if (f === undefined) return 0;
    return f.printf === undefined ? (this.rows[file]?.length ?? 0) : f.printf.count;
  }

  field(file: number, line: number, field: number): string {
    return valueOf(this.rows[file] ?? [], this.files[file]?.printf, line, field);
  }

  /** The line whose indexed field is `key`, or -1 (also when the field has no -infindex). */
  lookup(file: number, field: number, key: string): number {
    return this.indexes[file]?.get(field)?.get(key) ?? -1;
  }

  /** The first indexed field of a file, for <lookup> without a field. */
  indexedField(file: number): number | undefined {
    return this.indexes[file]?.keys().next().value;
  }

  insert(file: number, value: string): void {
    const rows = this.rows[file];
    if (rows === undefined) return;
    rows.push({ fields: value.split(';'), line: -1 });
    this.reindexRow(file, rows.length - 1);
  }

  replace(file: number, line: number, value: string): void {
    const row = this.rows[file]?.[line];
    if (row === undefined) return;
    for (const [field, index] of this.indexes[file] ?? []) { const k = row.fields[field]; if (k !== undefined && index.get(k) === line) index.delete(k); }
    row.fields = value.split(';');
    this.reindexRow(file, line);
  }

  private reindexRow(file: number, line: number): void {
    const fields = this.rows[file]?.[line]?.fields ?? [];
    // As SIPp: the line inserted or replaced last is the one its key finds.
    for (const [field, index] of this.indexes[file] ?? []) { const k = fields[field]; if (k !== undefined) index.set(k, line); }
  }
}
