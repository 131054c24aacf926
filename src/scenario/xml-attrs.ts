/**
 * The attributes of one start tag, read as SIPp reads them (its xp_get_value): SIPp looks an attribute up by
 * its name, which it sees only after whitespace and before '='; the value is what follows up to the next
 * double quote that no backslash escapes; in it \\ \" \n \t \r stand for \ " newline tab CR, and any other
 * backslash stays as it is. The XML entities are decoded after that; a bare '&' stays as it is.
 */

/** Reports a problem at a source offset. */
export type Report = (offset: number, message: string, hint?: string) => void;

/** An attribute's value and where its name and value start in the source. */
export interface XmlAttr {
  readonly value: string;
  /** Offset of the attribute name in the source. */
  readonly offset: number;
  /** Offset of the first character of the value. */
  readonly valueOffset: number;
}

export interface Reporters {
  readonly error: Report;
  readonly warn: Report;
}

const isSpace = (c: string | undefined): boolean => c === ' ' || c === '\t' || c === '\n' || c === '\r';

/** Reads the attributes between the end of an element's name (`from`) and the end of its tag (`to`). */
export function readAttributes(source: string, from: number, to: number, r: Reporters): Map<string, XmlAttr> {
  const attrs = new Map<string, XmlAttr>();
  let k = from;
  // SIPp finds an attribute only when whitespace comes before its name.
  let spaced = true;
  while (k < to) {
    const c = source[k] as string;
    if (isSpace(c)) {
      k++;
      spaced = true;
      continue;
    }
    if (source.startsWith('<!--', k)) {
      const end = source.indexOf('-->', k + 4);
      k = end < 0 ? to : end + 3;
      spaced = false;
      continue;
    }
    const nameAt = k;
    while (k < to && !isSpace(source[k]) && !'="\''.includes(source[k] as string)) k++;
    const name = source.slice(nameAt, k);
    if (name === '') {
      r.error(k, `stray ${c} in a tag`, 'write attributes as name="value", separated by spaces');
      k = c === '"' ? quotedEnd(source, k, to) : k + 1;
      spaced = false;
      continue;
    }
    let m = k;
    while (m < to && isSpace(source[m])) m++;
    if (source[m] !== '=') {
      // SIPp compat: SIPp looks for name=, so an attribute without a value is not seen.
      r.warn(nameAt, `attribute '${name}' has no value: SIPp does not read it, and neither does sipts`, `write ${name}="…", or remove it`);
      spaced = false;
      continue;
    }
    m++;
    while (m < to && isSpace(source[m])) m++;
    let raw: string;
    const valueAt = source[m] === '"' || source[m] === "'" ? m + 1 : m;
    if (source[m] === '"') {
      k = quotedEnd(source, m, to);
      raw = source.slice(m + 1, k - 1);
    } else if (source[m] === "'") {
      // SIPp compat: SIPp reads only "…"; from a '…' value it takes the text up to the next double quote.
      r.error(
        m,
        `the value of '${name}' is in single quotes, which SIPp does not read`,
        `write ${name}="${valueText(source, m + 1, to, "'")}"`,
      );
      const close = source.indexOf("'", m + 1);
      k = close < 0 || close >= to ? to : close + 1;
      raw = source.slice(m + 1, Math.max(m + 1, k - 1));
    } else {
      r.error(m, `the value of '${name}' is not in double quotes`, `write ${name}="${valueText(source, m, to, '')}"`);
      k = m;
      while (k < to && !isSpace(source[k])) k++;
      raw = source.slice(m, k);
    }
    const value = decodeValue(raw, valueAt, name, r);
    if (!spaced) {
      r.warn(
        nameAt,
        `attribute '${name}' follows the previous value with no space between: SIPp does not see it, and neither does sipts`,
        `put a space before ${name}= for it to count`,
      );
    } else if (attrs.has(name)) {
      r.warn(nameAt, `attribute '${name}' is given twice: SIPp reads the first one, and so does sipts`, 'remove one of them');
    } else {
      attrs.set(name, { value, offset: nameAt, valueOffset: valueAt });
    }
    spaced = false;
  }
  return attrs;
}

/** From the opening quote at `at`: the offset after the closing one (a backslash escapes the next character). */
function quotedEnd(source: string, at: number, to: number): number {
  let j = at + 1;
  while (j < to && source[j] !== '"') j += source[j] === '\\' ? 2 : 1;
  return Math.min(j + 1, to);
}

/** The text of a badly quoted value, for a hint. */
function valueText(source: string, from: number, to: number, quote: string): string {
  let j = from;
  while (j < to && (quote === '' ? !isSpace(source[j]) : source[j] !== quote)) j++;
  return source.slice(from, j);
}

const ESCAPES: Readonly<Record<string, string>> = { '\\': '\\', '"': '"', n: '\n', t: '\t', r: '\r' };

function decodeValue(raw: string, at: number, name: string, r: Reporters): string {
  // SIPp's reader takes a '<' or '/>' anywhere in a tag, quoted or not, for a tag of its own.
  const lt = raw.indexOf('<');
  if (lt >= 0) r.error(at + lt, `'<' in the value of '${name}': SIPp takes it for the start of a tag`, 'write &lt; instead');
  const slash = raw.indexOf('/>');
  if (slash >= 0) r.error(at + slash, `'/>' in the value of '${name}': SIPp takes it for the end of the element`, 'write /&gt; instead');
  let out = '';
  let quoteAt = -1;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i] as string;
    // SIPp strips every CR from a scenario file as it reads it.
    if (c === '\r') continue;
    if (c !== '\\' || i + 1 >= raw.length) {
      out += c;
      continue;
    }
    const next = raw[i + 1] as string;
    const escaped = ESCAPES[next];
    if (escaped === undefined) {
      out += c;
      continue;
    }
    if (next === '"' && quoteAt < 0) quoteAt = i;
    out += escaped;
    i++;
  }
  // SIPp compat: \" is SIPp's own escape; XML ends the value there.
  if (quoteAt >= 0)
    r.warn(at + quoteAt, `\\" in the value of '${name}' is SIPp's escape for a double quote, not XML`, 'write &quot; instead');
  let bare = -1;
  const decoded = decodeEntities(out, () => {
    if (bare < 0) bare = raw.indexOf('&');
  });
  if (bare >= 0) r.warn(at + bare, `a bare '&' in the value of '${name}' is kept as it is, as SIPp does`, 'write &amp; for a literal &');
  return decoded;
}

/** Text between tags: the XML entities decoded, a bare '&' kept. */
export function decodeText(raw: string): string {
  return decodeEntities(raw, () => undefined);
}

const NAMED: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decodeEntities(s: string, onBare: () => void): string {
  if (!s.includes('&')) return s;
  return s.replace(/&(#x[0-9a-fA-F]{1,6}|#[0-9]{1,7}|[A-Za-z]+)?;?/g, (whole, ref: string | undefined) => {
    if (ref !== undefined && whole.endsWith(';')) {
      const named = NAMED[ref];
      if (named !== undefined) return named;
      if (ref.startsWith('#')) {
        const code = ref[1] === 'x' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
        if (code > 0 && code <= 0x10ffff && !(code >= 0xd800 && code <= 0xdfff)) return String.fromCodePoint(code);
      }
    }
    onBare();
    return whole;
  });
}
