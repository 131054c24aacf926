/**
 * SIPp compiles <ereg regexp> as POSIX extended regular expressions. JavaScript's syntax differs in a few
 * places that real scenarios use: character classes ([[:alnum:]]), a backslash inside brackets being a
 * literal, a leading ']' in brackets, and '.' matching a newline. This translates one into the other.
 */
import { messageOf } from '../thrown.js';

const CLASSES: Readonly<Record<string, string>> = {
  alnum: 'a-zA-Z0-9',
  alpha: 'a-zA-Z',
  digit: '0-9',
  upper: 'A-Z',
  lower: 'a-z',
  xdigit: '0-9A-Fa-f',
  space: ' \\t\\r\\n\\v\\f',
  blank: ' \\t',
  cntrl: '\\x00-\\x1f\\x7f',
  print: '\\x20-\\x7e',
  graph: '\\x21-\\x7e',
  punct: '!-\\/:-@\\[-`{-~',
};

export type RegexResult = { readonly ok: true; readonly re: RegExp } | { readonly ok: false; readonly error: string };

export function posixToJs(source: string): string {
  let out = '';
  let i = 0;
  while (i < source.length) {
    const c = source[i] as string;
    if (c === '\\' && i + 1 < source.length) {
      out += c + (source[i + 1] as string);
      i += 2;
      continue;
    }
    if (c !== '[') {
      out += c;
      i++;
      continue;
    }
    // A bracket expression: copy it, translating what JS reads differently.
    let j = i + 1;
    let body = '';
    if (source[j] === '^') {
      body += '^';
      j++;
    }
    if (source[j] === ']') {
      body += '\\]';
      j++;
    }
    while (j < source.length && source[j] !== ']') {
      const m = /^\[:([a-z]+):\]/.exec(source.slice(j));
      if (m !== null && CLASSES[m[1] ?? ''] !== undefined) {
        body += CLASSES[m[1] ?? ''];
        j += m[0].length;
        continue;
      }
      const ch = source[j] as string;
      body += ch === '\\' || ch === '[' ? `\\${ch}` : ch;
      j++;
    }
    if (j >= source.length) {
      out += `\\[${source.slice(i + 1)}`;
      break;
    } // no closing ']': let RegExp report it
    out += `[${body}]`;
    i = j + 1;
  }
  return out;
}

export function compileRegex(source: string, caseInsensitive: boolean): RegexResult {
  try {
    // 's': in POSIX '.' matches a newline too.
    return { ok: true, re: new RegExp(posixToJs(source), caseInsensitive ? 'is' : 's') };
  } catch (e) {
    return { ok: false, error: messageOf(e).replace(/^Invalid regular expression: /, '') };
  }
}
