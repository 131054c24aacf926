/**
 * User-facing errors. Each has a stable `code` (for tests and scripts) and a `hint` that says how to fix it.
 * Expected trouble on the wire is never an error: it is a counted outcome (events/outcome.ts).
 */

/** A problem at a place in a user's file (scenario XML, injection CSV) or on the command line. */
export interface Diagnostic {
  readonly file: string;
  readonly line: number;
  readonly col: number;
  readonly message: string;
  readonly hint?: string;
  /** The offending source line, shown under the message. */
  readonly sourceLine?: string;
  /** A warning does not stop the run: it names something sipts reads only for SIPp's sake. Absent: an error. */
  readonly severity?: 'warning';
}

export class SiptsError extends Error {
  readonly code: string;
  readonly hint: string | undefined;
  constructor(code: string, message: string, hint?: string) {
    super(message);
    this.name = 'SiptsError';
    this.code = code;
    this.hint = hint;
  }
}

/** Every problem found in one user file, reported together. */
export class DiagnosticsError extends SiptsError {
  readonly diagnostics: readonly Diagnostic[];
  constructor(code: string, diagnostics: readonly Diagnostic[]) {
    super(code, diagnostics.map(formatDiagnostic).join('\n'));
    this.name = 'DiagnosticsError';
    this.diagnostics = diagnostics;
  }
}

/** `file:line:col: error: message`, then the source line with a caret, then the hint: the compiler format editors understand. */
export function formatDiagnostic(d: Diagnostic): string {
  let s = `${d.file}:${d.line}:${d.col}: ${d.severity ?? 'error'}: ${d.message}`;
  if (d.sourceLine !== undefined) {
    s += `\n  ${d.sourceLine.replace(/\t/g, ' ')}\n  ${' '.repeat(Math.max(0, d.col - 1))}^`;
  }
  if (d.hint !== undefined) s += `\n  hint: ${d.hint}`;
  return s;
}

/** Maps offsets in a text to 1-based line and column. */
export class LineIndex {
  private readonly starts: number[] = [0];
  constructor(private readonly text: string) {
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) this.starts.push(i + 1);
  }
  position(offset: number): { line: number; col: number } {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.starts[mid] ?? 0) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, col: offset - (this.starts[lo] ?? 0) + 1 };
  }
  lineText(line: number): string {
    const start = this.starts[line - 1] ?? 0;
    const end = this.starts[line] ?? this.text.length + 1;
    return this.text.slice(start, end - 1).replace(/\r$/, '');
  }
}
