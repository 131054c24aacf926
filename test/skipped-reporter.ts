/**
 * A node:test reporter that ends the run with the list of skipped tests and why (issue 17: `npm test` on a
 * developer's machine must not pass silently when a peer is missing). In CI (`CI` set) a skipped test fails
 * the run: .ci/run installs every peer, so a skip there means something is missing from it.
 * Used next to the TAP reporter, which CI reads: see the `test` script in package.json.
 */
import type { TestEvent } from 'node:test/reporters';

export default async function* skipped(source: AsyncIterable<TestEvent>): AsyncGenerator<string> {
  const list: string[] = [];
  for await (const event of source) {
    if (event.type !== 'test:pass' && event.type !== 'test:fail') continue;
    const reason: unknown = event.data.skip;
    if (reason === undefined || reason === false) continue;
    list.push(`${event.data.file ?? '?'}: ${event.data.name}: ${typeof reason === 'string' ? reason : 'no reason given'}`);
  }
  if (list.length === 0) return;
  yield `\n${String(list.length)} test(s) skipped:\n${list.map((l) => `  - ${l}\n`).join('')}`;
  if (process.env['CI'] !== undefined && process.env['CI'] !== '' && process.env['CI'] !== 'false') {
    process.exitCode = 1;
    yield 'CI is set: a skipped test is a failure here (.ci/run installs every peer the tests need).\n';
  }
}
