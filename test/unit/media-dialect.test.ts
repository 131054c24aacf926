/**
 * Issue 18: SIPp's media dialect is loaded and compiled, and the files it names are read at load time with
 * errors at file:line:col. The forms and their syntax are SIPp's (scenario.cpp and actions.cpp of SIPp 3.6.1
 * and 3.7); columns are counted by hand from the source lines below.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { DiagnosticsError, type Diagnostic } from '../../src/errors.js';
import { writePcap } from '../../src/media/capture-write.js';
import { toneClip, toneWav } from '../../src/media/tone.js';
import { compileScenarioSource } from '../../src/scenario/compile.js';
import type { CompiledMedia, MediaOptions } from '../../src/scenario/compile-media.js';
import { env } from '../helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'sipts-media-dialect-'));
const scenarioFile = join(dir, 'm.xml');
writeFileSync(join(dir, 'tone.pcap'), writePcap(toneClip('alaw', { durationMs: 200 }), { srcPort: 7000, dstPort: 7002 }));
writeFileSync(join(dir, 'tone.wav'), toneWav('ulaw', { durationMs: 100 }));
writeFileSync(join(dir, 'text.pcap'), 'not a capture at all\n');
// A capture of UDP that is not RTP (version bits 0): SIP, say.
writeFileSync(
  join(dir, 'sip.pcap'),
  writePcap(
    {
      ...toneClip('alaw', { durationMs: 40 }),
      packets: [Buffer.from('OPTIONS sip:x SIP/2.0\r\n'), Buffer.from('OPTIONS sip:y SIP/2.0\r\n')],
    },
    { srcPort: 5060, dstPort: 5060 },
  ),
);

const doc = (...actions: string[]): string =>
  ['<?xml version="1.0"?>', '<scenario name="m">', `  <nop><action>${actions.join('')}</action></nop>`, '</scenario>'].join('\n');
const where = (d: Diagnostic): string => `${d.severity ?? 'error'} ${d.line}:${d.col} ${d.message}`;

function diags(source: string, options: MediaOptions = {}): string[] {
  try {
    return compileScenarioSource(scenarioFile, source, env, options).warnings.map(where);
  } catch (e) {
    if (!(e instanceof DiagnosticsError)) throw e;
    return e.diagnostics.map(where);
  }
}

function media(source: string, options: MediaOptions = {}): CompiledMedia[] {
  const sc = compileScenarioSource(scenarioFile, source, env, options);
  return sc.steps.flatMap((s) => s.actions.flatMap((a) => (a.kind === 'media' ? [a.media] : [])));
}

test('play_pcap_audio/video/image: the capture is read at load time, next to the scenario file (SIPp 3.6.1 find_file)', () => {
  const [a, v] = media(doc('<exec play_pcap_audio="tone.pcap"/>', '<exec play_pcap_video="tone.pcap"/>'));
  assert.equal(a?.op, 'pcap');
  assert.ok(a?.op === 'pcap' && v?.op === 'pcap');
  assert.equal(a.line, 'audio');
  assert.equal(v.line, 'video');
  // 200 ms of 20 ms packets, one RTP stream; the file is read once for both actions.
  assert.equal(a.clip.packets.length, 10);
  assert.equal(a.clip.streams.length, 1);
  assert.equal(a.clip, v.clip);
  const sc = compileScenarioSource(scenarioFile, doc('<exec play_pcap_audio="tone.pcap"/>'), env);
  assert.equal(sc.hasMedia, true);
  assert.equal(compileScenarioSource(scenarioFile, doc('<exec command="true"/>'), env).hasMedia, false);
});

test('media file errors name file:line:col and say how to fix: missing, not a capture, no RTP in it', () => {
  // Each attribute value starts at column 39: <exec at 16, its first attribute at 22.
  const missing = diags(doc('<exec play_pcap_audio="nope/missing.pcap"/>'));
  assert.equal(missing.length, 1);
  assert.match(missing[0] ?? '', /^error 3:39 cannot find the media file "nope\/missing.pcap" \(looked for .*missing.pcap\)/);
  assert.match(diags(doc('<exec play_pcap_audio="text.pcap"/>'))[0] ?? '', /^error 3:39 .*text.pcap: byte 0: not a pcap or pcapng file/);
  assert.match(
    diags(doc('<exec play_pcap_audio="sip.pcap"/>'))[0] ?? '',
    /^error 3:39 .*sip.pcap: the capture holds UDP packets but no RTP/,
  );
  // Every problem at once.
  assert.equal(diags(doc('<exec play_pcap_audio="a.pcap"/>', '<exec rtp_stream="b.wav"/>')).filter((d) => d.startsWith('error')).length, 2);
});

test('rtp_stream: file,loops,payload type (3.6 and 3.7), pause and resume; -rtp_payload is the default type', () => {
  const [plain, looped, paused, resumed] = media(
    doc('<exec rtp_stream="tone.wav"/>', '<exec rtp_stream="tone.wav,-1,0"/>', '<exec rtp_stream="pause"/>', '<exec rtp_stream="resume"/>'),
  );
  assert.ok(plain?.op === 'stream' && looped?.op === 'stream');
  assert.equal(plain.loops, 1);
  assert.equal(looped.loops, -1);
  // SIPp's default payload type 8 (PCMA), and 0 when given; 100 ms of 20 ms packets.
  assert.equal(plain.clip.streams[0]?.payloadType, 8);
  assert.equal(looped.clip.streams[0]?.payloadType, 0);
  assert.equal(plain.clip.packets.length, 5);
  assert.deepEqual([paused?.op, resumed?.op], ['pause', 'resume']);
  const [pcmu] = media(doc('<exec rtp_stream="tone.wav"/>'), { rtpPayload: 0 });
  assert.equal(pcmu?.op === 'stream' ? pcmu.clip.streams[0]?.payloadType : -1, 0);
  // The 3.7 form with a payload name.
  const [named] = media(doc('<exec rtp_stream="tone.wav,2,8,PCMA/8000"/>'));
  assert.equal(named?.op === 'stream' ? named.loops : 0, 2);
});

test('rtp_stream, play_dtmf and rtp_echo values SIPp would misread are errors that say what is accepted', () => {
  assert.deepEqual(diags(doc('<exec rtp_stream="tone.wav,x"/>')), ['error 3:22 rtp_stream loop count "x" is not a whole number']);
  assert.deepEqual(diags(doc('<exec rtp_stream="tone.wav,0"/>')), [
    'error 3:22 rtp_stream loop count 0: give 1 or more, or -1 to loop until the call ends',
  ]);
  assert.deepEqual(diags(doc('<exec rtp_echo="startfoo"/>')), ['error 3:22 rtp_echo="startfoo" is not an echo command']);
  assert.deepEqual(diags(doc('<exec play_dtmf=""/>')), ['error 3:22 play_dtmf needs the digits to send']);
});

test('SIPp 3.7 patterns: apattern/vpattern[,id[,payload type[,codec name]]], ids 1-6, -rtp_payload the default type', () => {
  const [bare, g729, video, pa, ra, pv, rv] = media(
    doc(
      '<exec rtp_stream="apattern"/>',
      '<exec rtp_stream="apattern,3,18"/>',
      '<exec rtp_stream="vpattern,6,99,H264/90000"/>',
      '<exec rtp_stream="pauseapattern"/>',
      '<exec rtp_stream="resumeapattern"/>',
      '<exec rtp_stream="pausevpattern"/>',
      '<exec rtp_stream="resumevpattern"/>',
    ),
  );
  // SIPp's defaults: pattern 1, the -rtp_payload type (8: PCMA/8000), 160 octets every 20 ms.
  assert.ok(bare?.op === 'pattern' && g729?.op === 'pattern' && video?.op === 'pattern');
  assert.deepEqual([bare.line, bare.file], ['audio', 'apattern,1,8,PCMA/8000']);
  assert.equal(bare.clip.streams[0]?.payloadType, 8);
  assert.equal(bare.clip.packets[0]?.length, 12 + 160);
  assert.equal(bare.clip.packets[0]?.[12], 0xaa);
  // G.729: 20 octets, pattern 3's octet.
  assert.deepEqual([g729.file, g729.clip.packets[0]?.length, g729.clip.packets[0]?.[12]], ['apattern,3,18,G729/8000', 32, 0xcc]);
  assert.deepEqual([video.line, video.clip.streams[0]?.payloadType, video.clip.packets[0]?.length], ['video', 99, 12 + 1280]);
  assert.deepEqual(
    [pa, ra, pv, rv],
    [
      { op: 'pause', line: 'audio' },
      { op: 'resume', line: 'audio' },
      { op: 'pause', line: 'video' },
      { op: 'resume', line: 'video' },
    ],
  );
  const [pcmu] = media(doc('<exec rtp_stream="apattern,2"/>'), { rtpPayload: 0 });
  assert.equal(pcmu?.op === 'pattern' ? pcmu.file : '', 'apattern,2,0,PCMU/8000');
  // The same pattern twice is made once.
  const [x, y] = media(doc('<exec rtp_stream="apattern,1,0"/>', '<exec rtp_stream="apattern,1,0,PCMU/8000"/>'));
  assert.ok(x?.op === 'pattern' && y?.op === 'pattern');
  assert.equal(x.clip, y.clip);
  assert.equal(compileScenarioSource(scenarioFile, doc('<exec rtp_stream="pauseapattern"/>'), env).hasMedia, true);
});

test('bad pattern values are errors at the attribute (3:22), every one at once', () => {
  assert.deepEqual(
    diags(
      [
        '<?xml version="1.0"?>',
        '<scenario name="m">',
        '  <nop><action><exec rtp_stream="apattern,7"/></action></nop>',
        '  <nop><action><exec rtp_stream="apattern,x,0"/></action></nop>',
        '  <nop><action><exec rtp_stream="apatterns,1"/></action></nop>',
        '  <nop><action><exec rtp_stream="vpattern,1,99"/></action></nop>',
        '  <nop><action><exec rtp_stream="apattern,1,0,PCMA/8000"/></action></nop>',
        '  <nop><action><exec rtp_stream="apattern,1,200"/></action></nop>',
        '  <nop><action><exec rtp_stream="apattern,1,4"/></action></nop>',
        '</scenario>',
      ].join('\n'),
    ),
    [
      'error 3:22 rtp_stream apattern pattern id 7: SIPp has patterns 1 to 6',
      'error 4:22 rtp_stream apattern pattern id "x" is not a whole number',
      'error 5:22 rtp_stream="apatterns,1": "apatterns" is not apattern or vpattern',
      'error 6:22 rtp_stream vpattern: payload type 99 needs a codec name',
      'error 7:22 rtp_stream apattern: payload type 0 is PCMU/8000, not PCMA/8000',
      'error 8:22 rtp_stream apattern payload type 200 is not an RTP payload type (0-127)',
      'error 9:22 rtp_stream apattern: static payload type 4 has no packet size sipts (or SIPp) knows',
    ],
  );
});

test('<exec> with no form it knows says which it takes (not the old command/int_cmd message); a second form is a warning', () => {
  const none = diags(doc('<exec play_pcap="tone.pcap"/>'));
  assert.ok(
    none.some((d) => d.startsWith('error 3:16 <exec> needs one of command="…", int_cmd="…", play_pcap_audio="…"')),
    none.join('\n'),
  );
  assert.ok(!none.some((d) => d.includes('needs command="…" or int_cmd="…"')));
  const two = diags(doc('<exec play_dtmf="12" rtp_stream="pause"/>'));
  assert.deepEqual(two, ['warning 3:37 <exec> does one thing: rtp_stream="…" is ignored, as SIPp ignores it (play_dtmf="…" comes first)']);
});

test('play_dtmf renders keywords per call; rtp_echo forms of 3.7 and the <rtp_echo> element of 3.6.1', () => {
  const [dtmf, start, stop] = media(
    doc('<exec play_dtmf="12[call_number]"/>', '<exec rtp_echo="startaudio,0,PCMU/8000"/>', '<exec rtp_echo="stopvideo"/>'),
  );
  assert.equal(dtmf?.op, 'dtmf');
  assert.deepEqual(start?.op === 'echo' ? [start.what, start.line] : [], ['start', 'audio']);
  assert.deepEqual(stop?.op === 'echo' ? [stop.what, stop.line] : [], ['stop', 'video']);
  const sc = compileScenarioSource(scenarioFile, doc('<rtp_echo value="1"/>'), env);
  assert.equal(sc.steps[0]?.actions[0]?.kind, 'echoSwitch');
  assert.deepEqual(diags(doc('<rtp_echo/>')), ['error 3:16 <rtp_echo> needs value="…" or variable="…"']);
});

test('a file found nowhere: the search directories by base name, then generated media with a warning', () => {
  const [found] = media(doc('<exec play_pcap_audio="pcap/tone.pcap"/>'), { searchDirs: [dir] });
  assert.equal(found?.op === 'pcap' ? found.clip.packets.length : 0, 10);
  const clip = toneClip('alaw', { durationMs: 60 });
  const w = diags(doc('<exec play_pcap_audio="pcap/g711a.pcap"/>'), {
    generated: () => ({ clip, note: 'a generated tone is played instead' }),
  });
  assert.equal(w.length, 1);
  assert.match(w[0] ?? '', /^warning 3:39 pcap\/g711a.pcap was found nowhere \(.*\): a generated tone is played instead$/);
});

test('ignoresdp="true" on a <recv> is kept: that message\'s SDP does not move the call\'s media (SIPp compat)', () => {
  const sc = compileScenarioSource(
    scenarioFile,
    [
      '<?xml version="1.0"?>',
      '<scenario name="i">',
      '  <recv request="INVITE" ignoresdp="true"/>',
      '  <recv request="ACK"/>',
      '</scenario>',
    ].join('\n'),
    env,
  );
  assert.deepEqual(
    sc.steps.map((s) => s.ignoreSdp),
    [true, false],
  );
});
