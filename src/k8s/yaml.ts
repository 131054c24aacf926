/**
 * A small YAML writer for Kubernetes manifests: block mappings and sequences of strings, numbers and booleans.
 * Written here rather than taken from a package: manifests need only this much, and the tests read every
 * document back with an independent parser (PyYAML) to hold it to the YAML spec.
 */

export type YamlValue = string | number | boolean | readonly YamlValue[] | { readonly [key: string]: YamlValue | undefined };

/** A scalar YAML 1.1 readers take as something other than a string (PyYAML's resolver; Kubernetes reads 1.1 too). */
const NOT_A_STRING = /^(?:y|yes|n|no|true|false|on|off|null|~)$/i;
/** Safe unquoted: starts with a letter or `/` (so never a number), no character YAML gives a meaning. */
const PLAIN = /^[A-Za-z/][A-Za-z0-9._/-]*$/;
/** What a literal block can carry as is: printable text and tabs, lines cut by \n only (YAML 1.1 §5.1, §5.4). */
const LITERAL_SAFE = /^[\t\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\u{10000}-\u{10ffff}]*$/u;

function quoted(s: string): string {
  // A JSON string is a YAML double-quoted scalar: YAML has every escape JSON.stringify writes (§5.7). Past
  // ASCII, only the characters YAML does not print need escaping; the line and paragraph separators are line
  // breaks to YAML 1.1, which JSON leaves raw.
  return JSON.stringify(s).replace(
    /[\u007f-\u009f\u2028\u2029\ufeff\ufffe\uffff]/gu,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

function scalar(s: string): string {
  if (PLAIN.test(s) && !NOT_A_STRING.test(s)) return s;
  // Single quotes where they need no escape (§7.3.2: printable text on one line), as Prettier writes YAML.
  return !s.includes("'") && !/[\t\n]/.test(s) && LITERAL_SAFE.test(s) ? `'${s}'` : quoted(s);
}

/** A multi-line string as a literal block (`|`), which keeps it readable in the manifest; else quoted. */
function blockOrQuoted(s: string, indent: string): string {
  // A first line that starts with a space, or leading blank lines, would set the block's indentation
  // (§8.1.1.1): such text is quoted instead.
  if (!s.includes('\n') || !LITERAL_SAFE.test(s) || /^[ \n]/.test(s)) return scalar(s);
  const body = s.replace(/\n+$/, '');
  const trailing = s.length - body.length;
  // Chomping (§8.1.1.2): clip keeps the one final line break, strip none, keep all of them.
  const chomp = trailing === 0 ? '-' : trailing === 1 ? '' : '+';
  const inner = `${indent}  `;
  const lines = s.slice(0, s.length - (trailing > 0 ? 1 : 0)).split('\n');
  return `|${chomp}\n${lines.map((l) => (l === '' ? '' : `${inner}${l}`)).join('\n')}`;
}

/** Array.isArray narrowed to the value's own arrays (the standard library would leave the items untyped). */
function isSequence(v: YamlValue): v is readonly YamlValue[] {
  return Array.isArray(v);
}

function isMapping(v: YamlValue): v is { readonly [key: string]: YamlValue | undefined } {
  return typeof v === 'object' && !isSequence(v);
}

function value(v: YamlValue, indent: string): string {
  if (typeof v === 'string') return ` ${blockOrQuoted(v, indent)}`;
  if (typeof v === 'number' || typeof v === 'boolean') return ` ${String(v)}`;
  if (isSequence(v)) return v.length === 0 ? ' []' : `\n${sequence(v, `${indent}  `)}`;
  if (isMapping(v)) return Object.values(v).every((x) => x === undefined) ? ' {}' : `\n${mapping(v, `${indent}  `)}`;
  throw new Error('unreachable');
}

function mapping(m: { readonly [key: string]: YamlValue | undefined }, indent: string): string {
  const out: string[] = [];
  for (const [k, v] of Object.entries(m)) if (v !== undefined) out.push(`${indent}${scalar(k)}:${value(v, indent)}`);
  return out.join('\n');
}

function sequence(items: readonly YamlValue[], indent: string): string {
  return items
    .map((item) => {
      if (isMapping(item) && Object.values(item).some((x) => x !== undefined)) {
        // A mapping in a sequence: its first key on the dash's line, the others under it.
        const body = mapping(item, `${indent}  `);
        return `${indent}- ${body.slice(indent.length + 2)}`;
      }
      if (isSequence(item) && item.length > 0) return `${indent}-\n${sequence(item, `${indent}  `)}`;
      return `${indent}-${value(item, indent)}`;
    })
    .join('\n');
}

/** One YAML document for a mapping (a Kubernetes object), ending in a line break. */
export function yamlDocument(doc: { readonly [key: string]: YamlValue | undefined }): string {
  return `${mapping(doc, '')}\n`;
}
