/**
 * `-sd NAME` prints a built-in for each of SIPp's built-in names (3pcc-* aside), in our own text: for the
 * out-of-call and media ones, the same steps in the same order as SIPp's dump of that name.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { sippAvailable, sipts } from '../helpers.js';

const skip = sippAvailable() ? false : 'sipp is not installed (apt-get install sip-tester)';

/** SIPp's scenario_table, less the 3PCC names (another part of sipts). */
const NAMES = ['uac', 'uas', 'regexp', 'branchc', 'branchs', 'uac_pcap', 'ooc_default', 'ooc_dummy'] as const;

/** The steps of a scenario as `send INVITE`, `recv 200`, `pause`, `exec play_pcap_audio`: comments and text aside. */
function skeleton(xml: string): string[] {
  const body = xml.replace(/<!--[\s\S]*?-->/g, '');
  const out: string[] = [];
  const re = /<(send|recv|pause|timewait|nop|exec)\b([^>]*)>(?:\s*<!\[CDATA\[\s*(\S+)(?:\s+(\S+))?)?/g;
  for (let m = re.exec(body); m !== null; m = re.exec(body)) {
    const [, el = '', attrs = '', first, second] = m;
    const attr = (n: string): string | undefined => new RegExp(`\\b${n}="([^"]*)"`).exec(attrs)?.[1];
    if (el === 'send') out.push(`send ${first === 'SIP/2.0' ? (second ?? '') : (first ?? '')}`);
    else if (el === 'recv')
      out.push(
        `recv ${attr('request') ?? attr('response') ?? ''}${attr('optional') === 'true' ? ' optional' : ''}${attr('regexp_match') === 'true' ? ' regexp' : ''}`,
      );
    else if (el === 'exec') out.push(`exec ${attrs.trim().replace(/=.*/, '')}`);
    else out.push(`${el}${attr('milliseconds') === undefined ? '' : ` ${attr('milliseconds') ?? ''}`}`);
  }
  return out;
}

for (const name of NAMES) {
  test(`sipts -sd ${name} prints a scenario`, async () => {
    const r = await sipts(['-sd', name]).exited;
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^<\?xml[\s\S]*<scenario name="[^"]+">[\s\S]*<\/scenario>\s*$/);
    assert.doesNotMatch(r.stdout, /GNU General Public License/, "our own text, not SIPp's");
  });
}

for (const name of ['uac_pcap', 'ooc_default', 'ooc_dummy'] as const) {
  test(`sipts -sd ${name}: the same steps as sipp -sd ${name}`, { skip }, async () => {
    const ours = (await sipts(['-sd', name]).exited).stdout;
    const theirs = spawnSync('sipp', ['-sd', name], { encoding: 'utf8' }).stdout;
    assert.ok(skeleton(theirs).length > 0, `nothing read from sipp -sd ${name}`);
    assert.deepEqual(skeleton(ours), skeleton(theirs));
  });
}
