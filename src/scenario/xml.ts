/**
 * fast-xml-parser → a small element tree that keeps source offsets, so that every later error can name
 * file:line:col. Syntax errors come from fast-xml-parser's validator; the lenient parse still runs after
 * one, so semantic errors elsewhere in the file are reported in the same run.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { LineIndex, type Diagnostic } from '../errors.js';

export interface XmlAttr {
  readonly value: string;
  /** Offset of the attribute name in the source. */
  readonly offset: number;
  /** Offset of the first character of the value. */
  readonly valueOffset: number;
}

export interface XmlElement {
  readonly name: string;
  readonly offset: number;
  readonly attrs: ReadonlyMap<string, XmlAttr>;
  readonly children: readonly XmlElement[];
  /** Concatenated text and CDATA content. */
  readonly text: string;
  /** Source offset of the first character of `text` (CDATA content when there is CDATA). */
  readonly textOffset: number;
}

export interface XmlDocument {
  readonly file: string;
  readonly source: string;
  readonly lines: LineIndex;
  readonly root: XmlElement | undefined;
  /** True when the validator found a syntax error: the tree is a best-effort recovery. */
  readonly recovered: boolean;
}

type RawNode = Record<string, unknown>;

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  allowBooleanAttributes: true,
  parseAttributeValue: false,
  parseTagValue: false,
  trimValues: false,
  cdataPropName: '#cdata',
  commentPropName: '#comment',
  captureMetaData: true,
  processEntities: true,
});
const META = XMLParser.getMetaDataSymbol() as unknown as symbol;

export function parseXml(file: string, source: string, diagnostics: Diagnostic[]): XmlDocument {
  const lines = new LineIndex(source);
  const at = (offset: number, message: string, hint?: string): void => {
    const { line, col } = lines.position(offset);
    diagnostics.push({ file, line, col, message, sourceLine: lines.lineText(line), ...(hint === undefined ? {} : { hint }) });
  };
  const verdict = XMLValidator.validate(source, { allowBooleanAttributes: true });
  let recovered = false;
  if (verdict !== true) {
    recovered = true;
    const err = verdict.err;
    // The validator reports a missing close tag where it noticed it; point at the tag that is left open.
    const opened = /opened in line (\d+), col (\d+)/.exec(err.msg);
    // Some validator errors come without a column (or a line): 1 then, never "undefined".
    const line = opened ? Number(opened[1]) : positive(err.line);
    const col = opened ? Number(opened[2]) : positive(err.col);
    const unterminated = unterminatedSection(source);
    const unclosed = /Expected closing tag '([^']+)'/.exec(err.msg) ?? /Unclosed tag '([^']+)'/.exec(err.msg);
    if (unterminated !== undefined) at(unterminated.offset, `${unterminated.what} is never closed`, `end it with ${unterminated.end}`);
    else {
      diagnostics.push({
        file, line, col, sourceLine: lines.lineText(line),
        message: unclosed ? `<${unclosed[1]}> is never closed (${err.msg})` : `malformed XML: ${err.msg}`,
        hint: unclosed ? `end it with </${unclosed[1]}>, or write it as an empty element <${unclosed[1]} … />` : 'fix the XML syntax at this place',
      });
    }
  }
  let rawTree: unknown;
  try {
    rawTree = parser.parse(source);
  } catch (e) {
    if (!recovered) at(0, `malformed XML: ${e instanceof Error ? e.message : String(e)}`);
    return { file, source, lines, root: undefined, recovered: true };
  }
  const top = Array.isArray(rawTree) ? convertChildren(rawTree, source) : [];
  return { file, source, lines, root: top.find((e) => !e.name.startsWith('?') && !e.name.startsWith('!')), recovered };
}

const positive = (n: unknown): number => (typeof n === 'number' && Number.isInteger(n) && n > 0 ? n : 1);

/**
 * A comment or CDATA section that is opened and never closed swallows the rest of the file, and the
 * validator then reports a puzzling error at line 1; name the opening instead.
 */
function unterminatedSection(source: string): { offset: number; what: string; end: string } | undefined {
  const sections = [{ open: '<!--', close: '-->', what: 'the comment <!--' }, { open: '<![CDATA[', close: ']]>', what: 'the CDATA section <![CDATA[' }];
  let from = 0;
  for (;;) {
    let first: { at: number; s: (typeof sections)[number] } | undefined;
    for (const s of sections) {
      const at = source.indexOf(s.open, from);
      if (at >= 0 && (first === undefined || at < first.at)) first = { at, s };
    }
    if (first === undefined) return undefined;
    const close = source.indexOf(first.s.close, first.at + first.s.open.length);
    if (close < 0) return { offset: first.at, what: first.s.what, end: first.s.close };
    from = close + first.s.close.length;
  }
}

function convertChildren(nodes: unknown[], source: string): XmlElement[] {
  const out: XmlElement[] = [];
  for (const n of nodes) {
    if (typeof n !== 'object' || n === null) continue;
    const node = n as RawNode;
    const name = Object.keys(node).find((k) => k !== ':@');
    if (name === undefined || name === '#text' || name === '#cdata' || name === '#comment') continue;
    const meta = (node as Record<symbol, unknown>)[META] as { startIndex?: number } | undefined;
    const offset = meta?.startIndex ?? 0;
    const childNodes = Array.isArray(node[name]) ? (node[name] as unknown[]) : [];
    const tagEnd = startTagEnd(source, offset);
    const attrs = new Map<string, XmlAttr>();
    const rawAttrs = node[':@'];
    if (typeof rawAttrs === 'object' && rawAttrs !== null) {
      for (const [k, v] of Object.entries(rawAttrs as Record<string, unknown>)) {
        const at = attrOffset(source, offset, tagEnd, k);
        const quote = source.slice(at, tagEnd).search(/["']/);
        attrs.set(k, { value: typeof v === 'string' ? v : v === true ? 'true' : String(v), offset: at, valueOffset: quote < 0 ? at : at + quote + 1 });
      }
    }
    let text = '';
    let textOffset = -1;
    for (const c of childNodes) {
      if (typeof c !== 'object' || c === null) continue;
      const cn = c as RawNode;
      if ('#cdata' in cn) {
        const inner = Array.isArray(cn['#cdata']) ? (cn['#cdata'] as RawNode[]) : [];
        const value = inner.map((t) => String(t['#text'] ?? '')).join('');
        if (textOffset < 0 || text.trim() === '') {
          const cdataAt = source.indexOf('<![CDATA[', tagEnd);
          textOffset = cdataAt >= 0 ? cdataAt + 9 : tagEnd + 1;
          text = '';
        }
        text += value;
      } else if ('#text' in cn && textOffset < 0) {
        text += String(cn['#text']);
      }
    }
    if (textOffset < 0) textOffset = tagEnd + 1;
    out.push({ name, offset, attrs, children: convertChildren(childNodes, source), text, textOffset });
  }
  return out;
}

/** Offset of the `>` that ends the start tag at `offset`, skipping quoted attribute values. */
function startTagEnd(source: string, offset: number): number {
  let quote = 0;
  for (let i = offset + 1; i < source.length; i++) {
    const c = source.charCodeAt(i);
    if (quote !== 0) { if (c === quote) quote = 0; }
    else if (c === 34 || c === 39) quote = c;
    else if (c === 62) return i;
  }
  return source.length;
}

function attrOffset(source: string, start: number, end: number, name: string): number {
  const re = new RegExp(`[\\s]${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*=`, 'g');
  re.lastIndex = start;
  const m = re.exec(source);
  return m !== null && m.index < end ? m.index + 1 : start;
}
