/**
 * <exec command="…">: the scenario runs a shell command per call, its keywords rendered; checked on the file the
 * command writes, against SIPp 3.6.1 running the same scenario.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { freePort, ROOT, sipp, sippAvailable, sipts, startSiptsUas } from '../helpers.js';

const sippMissing = sippAvailable() ? false : 'sipp is not installed (apt-get install sip-tester)';

/** The lines of `file` once it has `n` of them (the commands run apart from the call, and may end after the run). */
async function linesOf(file: string, n: number): Promise<string[]> {
  let lines: string[] = [];
  for (let i = 0; i < 200; i++) {
    lines = existsSync(file)
      ? readFileSync(file, 'utf8')
          .split('\n')
          .filter((l) => l !== '')
      : [];
    if (lines.length >= n) break;
    await new Promise((r) => setTimeout(r, 25));
  }
  return lines;
}

for (const tool of ['sipts', 'sipp'] as const) {
  test(
    `<exec command> runs a shell command for each call with its keywords rendered: ${tool}`,
    { skip: tool === 'sipp' && sippMissing, timeout: 60_000 },
    async (t) => {
      const dir = mkdtempSync(join(tmpdir(), `sipts-exec-${tool}-`));
      const out = join(dir, 'out.txt');
      const scenario = join(dir, 'exec.xml');
      const xml = readFileSync(join(ROOT, 'scenarios/uac.xml'), 'utf8');
      const at = xml.indexOf('<send');
      // Shell syntax on purpose: a redirection, and a quoted word the shell takes apart.
      writeFileSync(
        scenario,
        `${xml.slice(0, at)}<nop><action><exec command="echo 'call' [call_number] [call_id] >> ${out}"/></action></nop>\n  ${xml.slice(at)}`,
      );
      const uas = await startSiptsUas(['-cp', '0']);
      t.after(() => uas.child.kill('SIGKILL'));
      const args = ['-sf', scenario, `127.0.0.1:${uas.port}`, '-i', '127.0.0.1', '-r', '50', '-m', '5'];
      const r =
        tool === 'sipts'
          ? await sipts([...args, '-p', '0', '-cp', '0'], 30_000, dir).exited
          : await sipp([...args, '-p', String(await freePort())], 30_000, dir).exited;
      assert.equal(r.code, 0, r.stderr + r.stdout.slice(-1500));
      const lines = await linesOf(out, 5);
      // One line per call: its number and Call-ID (<number>-<pid>@<address>, the same layout in both tools).
      assert.deepEqual(
        lines.map((l) => l.replace(/-\d+@/, '-PID@')).sort(),
        [1, 2, 3, 4, 5].map((n) => `call ${n} ${n}-PID@127.0.0.1`),
      );
      assert.equal(new Set(lines.map((l) => /-(\d+)@/.exec(l)?.[1])).size, 1, 'every Call-ID has the pid of the run');
    },
  );
}
