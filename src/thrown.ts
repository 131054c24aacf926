/**
 * What a `catch` or a rejection gives is `unknown` (a library may throw a string): these narrow it instead of
 * casting it to Error. A leaf module that every layer may import (test/unit/structure.test.ts).
 */

/** What was thrown, as an Error: itself when it is one, else an Error whose message is its text. */
export function asError(e: unknown): Error {
  return e instanceof Error ? e : new Error(String(e));
}

/** The message of what was thrown (its text when it is not an Error). */
export function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** The system error code of what was thrown (ENOENT, EADDRINUSE …); undefined when it carries none. */
export function errnoCode(e: unknown): string | undefined {
  if (typeof e !== 'object' || e === null || !('code' in e)) return undefined;
  return typeof e.code === 'string' ? e.code : undefined;
}
