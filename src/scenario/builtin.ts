/** Built-in scenarios are plain XML files of our own in scenarios/: -sn NAME runs one, -sd NAME prints it. */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** scenarios/ at the package root (this file is dist/src/scenario/builtin.js once compiled). */
const DIR = fileURLToPath(new URL('../../../scenarios/', import.meta.url));

export function builtinNames(): string[] {
  return readdirSync(DIR)
    .filter((f) => f.endsWith('.xml'))
    .map((f) => f.slice(0, -4))
    .sort();
}

/** Built-ins that -sd prints but that cannot run yet, and why. */
const NOT_RUNNABLE: Readonly<Record<string, string>> = {};

/** Why the built-in `name` cannot run in this version, or undefined when it can. */
export function whyNotRunnable(name: string): string | undefined {
  return Object.hasOwn(NOT_RUNNABLE, name) ? NOT_RUNNABLE[name] : undefined;
}

/** The file path and XML of a built-in, or undefined when there is none of that name. */
export function readBuiltin(name: string): { path: string; source: string } | undefined {
  if (!/^[A-Za-z0-9_-]+$/.test(name) || !builtinNames().includes(name)) return undefined;
  const path = `${DIR}${name}.xml`;
  return { path, source: readFileSync(path, 'utf8') };
}
