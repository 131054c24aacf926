import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { yamlDocument, type YamlValue } from '../../src/k8s/yaml.js';
import { noPyYaml, yamlLoadAll } from '../k8s-oracles.js';

test('the YAML writer: what it writes, PyYAML reads back as the same data', { skip: noPyYaml }, () => {
  const doc: Record<string, YamlValue> = {
    plain: 'batch/v1',
    // YAML 1.1 reads these as booleans, null, numbers or a date unless they are quoted.
    words: ['yes', 'No', 'on', 'OFF', 'y', 'null', '~', '1', '0x1f', '1e3', '.inf', '1:20', '2030-01-01T12:00:00.000Z', ''],
    marks: ['-sn', '- a', '$(POD_IP)', 'a: b', '#x', 'a #b', '"q"', "'q'", '[x]', '{x}', '*x', '&x', '!x', '%x', '@x', '`x', '|', '>'],
    numbers: [0, 4, 1000],
    flags: [true, false],
    script: 'sipts "$@"\nrc=$?\n  indented\n\ttab\n\nlast\n',
    clip: 'a\nb\n',
    strip: 'a\nb',
    keep: 'a\nb\n\n\n',
    leadingSpace: '  a\nb\n',
    leadingBlank: '\na\n',
    controls: 'bell\u0007 nul\u0000 del\u007f nel\u0085 ls\u2028 bom\ufeff cr\r\n',
    unicode: 'é 日本 😀',
    'odd key: #1': 'v',
    nested: { empty: {}, list: [], deeper: [{ a: '1', b: ['x', { c: 'y' }] }, ['p', 'q']] },
  };
  assert.deepEqual(yamlLoadAll(yamlDocument(doc)), [doc]);
});

test('the YAML writer: any text, as a value or a key, reads back the same (fast-check, one PyYAML run)', { skip: noPyYaml }, () => {
  const piece = fc.constantFrom(
    'a',
    'Z',
    '0',
    ' ',
    '  ',
    '\n',
    '\t',
    '#',
    ':',
    '- ',
    '"',
    "'",
    '\\',
    '\r',
    '\u2028',
    '\u0085',
    '\ufeff',
    '\u0000',
    '\u001b',
    'é',
    '😀',
    'yes',
    '1',
    '{',
    '|',
    '>',
    '&',
    '*',
    '!',
    '%',
    '@',
    '`',
    '---',
    '...',
  );
  const text = fc.oneof(
    fc.array(piece, { maxLength: 12 }).map((p) => p.join('')),
    fc.string({ unit: 'binary', maxLength: 20 }),
  );
  const values = fc.sample(text, { numRuns: 400, seed: 20 });
  const keys = fc.sample(text, { numRuns: 200, seed: 21 });
  const doc: Record<string, YamlValue> = { values, keyed: Object.fromEntries(keys.map((k, i) => [k, String(i)])) };
  const [back] = yamlLoadAll(yamlDocument(doc));
  assert.deepEqual(back, doc);
});
