/** The package version, read once from package.json. */
import { readFileSync } from 'node:fs';
import { parseJson } from './json.js';

const pkg = parseJson(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));

export const VERSION: string =
  typeof pkg === 'object' && pkg !== null && 'version' in pkg && typeof pkg.version === 'string' ? pkg.version : '0.0.0';
