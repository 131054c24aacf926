/**
 * The data lines of an injection file kept compactly: the file's bytes and, per data line, where it starts
 * and ends and its line number in the file. A field is cut out when a call reads it. A million-line file
 * costs its own size plus 12 bytes a line, where one array of strings per line cost about 3.9 KB (issue 21).
 *
 * Byte offsets are safe for UTF-8: ';' (0x3b), '\n' and '\r' never occur inside a multi-byte sequence.
 */

const LF = 0x0a;
const CR = 0x0d;
const SEMI = 0x3b;
const HASH = 0x23;

export class LineTable {
  /** Data lines found. */
  readonly count: number;
  /** The fewest fields any data line has (fields = ';' + 1): checkFieldCount looks at each line only when it must. */
  readonly minFields: number;

  private constructor(
    /** The file's bytes (read only): key-index.ts hashes fields in place. */
    readonly bytes: Buffer,
    private readonly starts: Uint32Array,
    private readonly ends: Uint32Array,
    private readonly lineNos: Uint32Array,
    count: number,
    minFields: number,
  ) {
    this.count = count;
    this.minFields = minFields;
  }

  /**
   * Every line from byte `from` on (file line `firstLineNo`) that is neither empty nor a comment, in one pass.
   * SIPp compat: '#' makes a comment only as a line's first character, so a password may hold '#'. A line
   * may end in CRLF; the CR is not part of its last field (SIPp keeps it there, and the header it is put in
   * ends with a stray CR). A line of only spaces is a data line, as in SIPp. Unlike SIPp, which stops
   * reading at the first empty line, empty lines are skipped.
   */
  static scan(bytes: Buffer, from: number, firstLineNo: number): LineTable {
    const length = bytes.length;
    if (length >= 2 ** 32) throw new RangeError('an injection file of 4 GB or more');
    // Grown by doubling, trimmed at the end: a first guess of a line per 32 bytes.
    let cap = Math.max(16, Math.ceil((length - from) / 32));
    let starts: Uint32Array = new Uint32Array(cap);
    let ends: Uint32Array = new Uint32Array(cap);
    let lineNos: Uint32Array = new Uint32Array(cap);
    let count = 0;
    let minFields = Number.MAX_SAFE_INTEGER;
    let lineNo = firstLineNo;
    let pos = from;
    while (pos < length) {
      const nl = bytes.indexOf(LF, pos);
      const next = nl < 0 ? length : nl + 1;
      let end = nl < 0 ? length : nl;
      if (end > pos && bytes[end - 1] === CR) end--;
      if (end > pos && bytes[pos] !== HASH) {
        if (count === cap) {
          cap *= 2;
          starts = grow(starts, cap);
          ends = grow(ends, cap);
          lineNos = grow(lineNos, cap);
        }
        starts[count] = pos;
        ends[count] = end;
        lineNos[count] = lineNo;
        count++;
        let fields = 1;
        for (let i = pos; i < end; i++) if (bytes[i] === SEMI) fields++;
        if (fields < minFields) minFields = fields;
      }
      lineNo++;
      pos = next;
    }
    return new LineTable(bytes, starts.slice(0, count), ends.slice(0, count), lineNos.slice(0, count), count, count === 0 ? 0 : minFields);
  }

  /** The line number in the file (1-based) of data line `i`. */
  lineNumberOf(i: number): number {
    return this.lineNos[i] ?? 0;
  }

  /** How many ';'-separated fields data line `i` has. */
  fieldCount(i: number): number {
    const end = this.ends[i] ?? 0;
    let fields = 1;
    for (let p = this.starts[i] ?? 0; p < end; p++) if (this.bytes[p] === SEMI) fields++;
    return fields;
  }

  /**
   * Field `field` of data line `i`; '' when there is no such line or field. No allocation but the result; the
   * search stays within the line (Buffer.indexOf could run on to the end of the file for a line without ';').
   */
  field(i: number, field: number): string {
    const p = this.fieldStart(i, field);
    if (p < 0) return '';
    const q = this.fieldEnd(i, p);
    return q === p ? '' : this.bytes.toString('utf8', p, q);
  }

  /** Where field `field` of data line `i` starts in `bytes`, or -1 when the line has no such field. */
  fieldStart(i: number, field: number): number {
    if (i < 0 || i >= this.count) return -1;
    const end = this.ends[i] ?? 0;
    let p = this.starts[i] ?? 0;
    for (let n = field; n > 0; n--) {
      while (p < end && this.bytes[p] !== SEMI) p++;
      if (p === end) return -1;
      p++;
    }
    return p;
  }

  /** Where the field starting at `start` of data line `i` ends (exclusive). */
  fieldEnd(i: number, start: number): number {
    const end = this.ends[i] ?? 0;
    let q = start;
    while (q < end && this.bytes[q] !== SEMI) q++;
    return q;
  }

  /** Data line `i` as written, without its line end. */
  text(i: number): string {
    if (i < 0 || i >= this.count) return '';
    return this.bytes.toString('utf8', this.starts[i] ?? 0, this.ends[i] ?? 0);
  }
}

function grow(a: Uint32Array, cap: number): Uint32Array {
  const b = new Uint32Array(cap);
  b.set(a);
  return b;
}
