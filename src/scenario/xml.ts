/**
 * Scenario XML → a small element tree that keeps source offsets, so that every later error can name
 * file:line:col.
 *
 * SIPp compat: SIPp reads scenarios with its own small parser, which takes files that XML refuses: no space
 * between attributes, \" inside a value, a start tag with no '>', text after the root, a missing
 * </scenario>, duplicate attributes. Old scenario files rely on that, so this reader takes the same dialect,
 * reads each of those as SIPp does (README: "The scenario reader"), and warns at the place so that authors
 * can fix their files. What SIPp refuses (a close tag that does not match, an element after the root,
 * values not in double quotes) is an error here too. Scanning a tag follows SIPp's: double quotes only, a
 * backslash escapes the next character, a '<' ends it.
 */
import { LineIndex, type Diagnostic } from '../errors.js';
import { readAttributes, decodeText, type Report, type XmlAttr } from './xml-attrs.js';

export type { Report, XmlAttr } from './xml-attrs.js';

export interface XmlElement {
  readonly name: string;
  readonly offset: number;
  readonly attrs: ReadonlyMap<string, XmlAttr>;
  readonly children: readonly XmlElement[];
  /** Concatenated text and CDATA content. */
  readonly text: string;
  /** Source offset of the first character of `text` (CDATA content when there is CDATA). */
  readonly textOffset: number;
  /** True when `text` is a CDATA section's. */
  readonly cdata: boolean;
}

export interface XmlDocument {
  readonly file: string;
  readonly source: string;
  readonly lines: LineIndex;
  readonly root: XmlElement | undefined;
  /** True when the reader found a syntax error: the tree is a best-effort recovery. */
  readonly recovered: boolean;
}

interface Open {
  readonly name: string;
  readonly offset: number;
  readonly attrs: ReadonlyMap<string, XmlAttr>;
  readonly tagEnd: number;
  readonly children: XmlElement[];
  readonly parts: { readonly cdata: boolean; readonly value: string; readonly offset: number }[];
}

/** How a tag scanned from `from` ends: at '>' or '/>', at a '<' that SIPp takes for the next tag, or at the end of the file. */
type TagEnd =
  { readonly kind: 'end'; readonly at: number; readonly selfClosing: boolean } | { readonly kind: 'lt' | 'eof'; readonly at: number };

const isSpace = (c: string | undefined): boolean => c === ' ' || c === '\t' || c === '\n' || c === '\r';

export function parseXml(file: string, source: string, diagnostics: Diagnostic[]): XmlDocument {
  const lines = new LineIndex(source);
  const push =
    (severity: 'error' | 'warning') =>
    (offset: number, message: string, hint?: string): void => {
      const { line, col } = lines.position(offset);
      diagnostics.push({
        file,
        line,
        col,
        message,
        sourceLine: lines.lineText(line),
        ...(hint === undefined ? {} : { hint }),
        ...(severity === 'warning' ? { severity } : {}),
      });
    };
  const error = push('error');
  const warn = push('warning');
  let recovered = false;
  const fail: Report = (offset, message, hint) => {
    recovered = true;
    error(offset, message, hint);
  };

  const stack: Open[] = [];
  const roots: XmlElement[] = [];
  let strayText = false;
  let truncated = false;
  const close = (o: Open): void => {
    const el = finish(o, warn);
    const parent = stack[stack.length - 1];
    if (parent !== undefined) parent.children.push(el);
    else roots.push(el);
  };
  const text = (from: number, to: number): void => {
    if (from >= to) return;
    const raw = source.slice(from, to);
    const top = stack[stack.length - 1];
    if (top !== undefined) {
      top.parts.push({ cdata: false, value: decodeText(raw), offset: from });
      return;
    }
    const junk = raw.search(/\S/);
    if (junk >= 0 && !strayText) {
      strayText = true;
      warn(
        from + junk,
        `text outside <${roots[0]?.name ?? 'scenario'}> is ignored`,
        'SIPp ignores it too; remove it, or put it in a comment <!-- … -->',
      );
    }
  };

  let i = source.charCodeAt(0) === 0xfeff ? 1 : 0;
  // SIPp refuses a file that does not start with the XML declaration ("Unable to load or parse").
  if (!source.startsWith('<?xml')) {
    warn(
      i,
      'the file does not start with <?xml … ?>: SIPp refuses it ("Unable to load or parse")',
      'make <?xml version="1.0" encoding="ISO-8859-1"?> the very first line, for SIPp to read the file too',
    );
  }
  while (i < source.length) {
    const lt = source.indexOf('<', i);
    text(i, lt < 0 ? source.length : lt);
    if (lt < 0) break;
    i = lt;
    if (source.startsWith('<!--', i)) {
      const end = source.indexOf('-->', i + 4);
      if (end < 0) {
        fail(i, 'the comment <!-- is never closed', 'end it with -->');
        break;
      }
      i = end + 3;
    } else if (source.startsWith('<![CDATA[', i)) {
      const end = source.indexOf(']]>', i + 9);
      if (end < 0) {
        fail(i, 'the CDATA section <![CDATA[ is never closed', 'end it with ]]>');
        break;
      }
      const top = stack[stack.length - 1];
      if (top !== undefined) top.parts.push({ cdata: true, value: source.slice(i + 9, end), offset: i + 9 });
      else text(i, end + 3);
      i = end + 3;
    } else if (source.startsWith('<?', i) || source.startsWith('<!', i)) {
      // The XML declaration, a processing instruction, <!DOCTYPE …>: nothing a scenario reads.
      const end = source.indexOf(source[i + 1] === '?' ? '?>' : '>', i + 2);
      if (end < 0) {
        fail(i, `malformed XML: ${source.slice(i, i + 9)}… is never ended`, `end it with ${source[i + 1] === '?' ? '?>' : '>'}`);
        break;
      }
      i = end + (source[i + 1] === '?' ? 2 : 1);
    } else {
      const closing = source[i + 1] === '/';
      const nameFrom = i + (closing ? 2 : 1);
      let nameTo = nameFrom;
      while (nameTo < source.length && !isSpace(source[nameTo]) && !'/><'.includes(source[nameTo] as string)) nameTo++;
      const name = source.slice(nameFrom, nameTo);
      if (name === '') {
        fail(i, "'<' is not followed by an element name", 'write &lt; for a literal <, or put the text in <![CDATA[ … ]]>');
        i++;
        continue;
      }
      const end = tagEnd(source, nameTo, fail);
      if (end.kind !== 'end') {
        if (end.kind === 'eof') {
          fail(i, `the tag <${closing ? '/' : ''}${name} is never ended`, `end it with ${closing ? '>' : '> or />'}`);
          break;
        }
        // SIPp compat: SIPp's reader stops at a tag with no '>' before the next '<' as at the end of the file:
        // the scenario ends here, and elements still open are closed.
        const rest = lines.position(source.length).line - lines.position(i).line;
        const next = lines.position(end.at).line;
        truncated = true;
        warn(
          i,
          `the tag <${closing ? '/' : ''}${name} has no '>' before the next '<'${next === lines.position(i).line ? '' : ` (line ${next})`}: SIPp stops reading the scenario here and ignores the rest of the file (${rest + 1} line${rest === 0 ? '' : 's'}), and so does sipts`,
          `end the tag with ${closing ? '>' : '> or />'}`,
        );
        break;
      }
      if (closing) {
        closeTag(name, i);
      } else {
        if (stack.length === 0 && roots.length > 0) {
          fail(
            i,
            `element <${name}> after the end of <${roots[0]?.name ?? ''}>`,
            `SIPp refuses anything after the root element: move it inside <${roots[0]?.name ?? ''}>, or remove it`,
          );
        }
        const attrs = readAttributes(source, nameTo, end.at, { error: fail, warn });
        const open: Open = { name, offset: i, attrs, tagEnd: end.selfClosing ? end.at + 1 : end.at, children: [], parts: [] };
        if (end.selfClosing) close(open);
        else stack.push(open);
      }
      i = end.at + (end.selfClosing ? 2 : 1);
    }
  }

  function closeTag(name: string, at: number): void {
    const top = stack[stack.length - 1];
    if (top !== undefined && top.name === name) {
      stack.pop();
      close(top);
      return;
    }
    const depth = stack.map((o) => o.name).lastIndexOf(name);
    if (depth < 0) {
      fail(
        at,
        top === undefined
          ? `</${name}> closes no open element`
          : `</${name}> does not close <${top.name}> (line ${lines.position(top.offset).line})`,
        top === undefined ? 'remove it' : `close <${top.name}> with </${top.name}> first, or fix the name`,
      );
      return;
    }
    // Elements opened after <name> and never closed: each is reported, and ends here.
    while (stack.length > depth + 1) {
      const o = stack.pop();
      if (o === undefined) break;
      fail(o.offset, `<${o.name}> is never closed`, `end it with </${o.name}>, or write it as an empty element <${o.name} … />`);
      close(o);
    }
    const o = stack.pop();
    if (o !== undefined) close(o);
  }

  // SIPp compat: SIPp reads to the end of the file and takes elements still open as closed there.
  // `fail` sets recovered from inside the scan, which the type checker does not see.
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition
  if (stack.length > 0 && !recovered) {
    const o = stack[0];
    if (o !== undefined && !truncated)
      warn(
        o.offset,
        `<${stack.map((s) => s.name).join('>, <')}> ${stack.length === 1 ? 'is' : 'are'} still open at the end of the file: read as closed there, as SIPp does`,
        `end it with </${o.name}>`,
      );
  }
  while (stack.length > 0) {
    const o = stack.pop();
    if (o !== undefined) close(o);
  }
  return { file, source, lines, root: roots[0], recovered };
}

/**
 * Where the tag whose name ends at `from` ends. As SIPp: only double quotes delimit a value, a backslash in
 * one escapes the next character, a comment may sit inside, and any other '<' means the '>' is missing.
 */
function tagEnd(source: string, from: number, fail: Report): TagEnd {
  let j = from;
  while (j < source.length) {
    const c = source[j];
    if (c === '<') {
      if (!source.startsWith('<!--', j)) return { kind: 'lt', at: j };
      const end = source.indexOf('-->', j + 4);
      if (end < 0) {
        fail(j, 'the comment <!-- is never closed', 'end it with -->');
        return { kind: 'eof', at: source.length };
      }
      j = end + 3;
    } else if (c === '/' && source[j + 1] === '>') return { kind: 'end', at: j, selfClosing: true };
    else if (c === '>') return { kind: 'end', at: j, selfClosing: false };
    else if (c === '"') {
      j++;
      while (j < source.length && source[j] !== '"') j += source[j] === '\\' ? 2 : 1;
      j++;
    } else j++;
  }
  return { kind: 'eof', at: source.length };
}

/**
 * Text of an element: its first CDATA section when it has one (SIPp compat: SIPp reads that one only; a
 * later one gets a warning), else its text.
 */
function finish(o: Open, warn: Report): XmlElement {
  const sections = o.parts.filter((p) => p.cdata);
  const first = sections[0];
  for (const extra of sections.slice(1)) {
    warn(
      extra.offset - 9,
      `a second CDATA section in <${o.name}> is ignored: SIPp reads only the first one`,
      'put the whole text in one <![CDATA[ … ]]>',
    );
  }
  const text = first?.value ?? o.parts.map((p) => p.value).join('');
  return {
    name: o.name,
    offset: o.offset,
    attrs: o.attrs,
    children: o.children,
    text,
    textOffset: first?.offset ?? o.tagEnd + 1,
    cdata: first !== undefined,
  };
}
