import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { LogFile } from '../../src/report/log-file.js';
import { tempDir } from '../helpers.js';

test('a trace line reaches its file while the run goes on, without a flush or a full block (SIPp writes each line at once)', async (t) => {
  const path = join(tempDir(t), 'messages.log');
  const f = new LogFile(path, 'header\n');
  t.after(() => f.close());
  f.write('INVITE sip:x@h SIP/2.0\n');
  assert.equal(readFileSync(path, 'latin1'), '', 'gathered, not one write per line');
  const deadline = Date.now() + 5000;
  while (readFileSync(path, 'latin1') === '' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  assert.equal(readFileSync(path, 'latin1'), 'header\nINVITE sip:x@h SIP/2.0\n');
  f.write('second\n');
  f.close();
  assert.equal(readFileSync(path, 'latin1'), 'header\nINVITE sip:x@h SIP/2.0\nsecond\n');
});

test(
  'a write that fails (a full disk: /dev/full) ends that trace, never the run',
  { skip: existsSync('/dev/full') ? false : 'no /dev/full' },
  async () => {
    const f = new LogFile('/dev/full');
    f.write('x\n');
    f.flush();
    assert.match(f.failed ?? '', /ENOSPC/);
    f.write('more\n');
    await new Promise((r) => setImmediate(r));
    f.close();
  },
);
