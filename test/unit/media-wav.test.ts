import assert from 'node:assert/strict';
import { test } from 'node:test';
import { toneSamples, toneWav } from '../../src/media/tone.js';
import { readAudio, readWav } from '../../src/media/wav.js';
import { noAudioop, python } from '../python.js';

/** A 16-bit PCM WAV written by Python's wave module (independent of sipts) from the samples on stdin. */
function pythonWav(samples: Int16Array, channels = 1, rate = 8000): Buffer {
  const script = [
    'import io, sys, wave',
    'b = io.BytesIO()',
    'w = wave.open(b, "wb")',
    `w.setnchannels(${channels}); w.setsampwidth(2); w.setframerate(${rate})`,
    'w.writeframes(sys.stdin.buffer.read()); w.close()',
    'sys.stdout.buffer.write(b.getvalue())',
  ].join('\n');
  return python(script, Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength));
}

test('a PCM 16-bit WAV (written by Python wave) becomes the µ-law or A-law bytes audioop encodes', { skip: noAudioop }, () => {
  const pcm = toneSamples({ frequencyHz: 440, durationMs: 250, amplitude: 0.8 });
  const wav = pythonWav(pcm);
  const raw = Buffer.from(pcm.buffer, pcm.byteOffset, pcm.byteLength);
  const oracle = python(
    'import audioop, sys\nd = sys.stdin.buffer.read()\nsys.stdout.buffer.write(audioop.lin2ulaw(d, 2) + audioop.lin2alaw(d, 2))',
    raw,
  );
  assert.equal(readWav(wav, 'tone.wav', 'ulaw').samples.toString('hex'), oracle.subarray(0, pcm.length).toString('hex'));
  assert.equal(readWav(wav, 'tone.wav', 'alaw').samples.toString('hex'), oracle.subarray(pcm.length).toString('hex'));
});

test('G.711 WAVs (format 7 µ-law, 6 A-law) give their bytes, or transcoded ones when the other law is asked', () => {
  const u = toneWav('ulaw', { durationMs: 100 });
  // Layout by hand: RIFF header 12, fmt chunk 8 + 18, fact chunk 12, data header 8 -> samples from octet 58.
  assert.equal(u.toString('latin1', 0, 4) + u.toString('latin1', 8, 16), 'RIFFWAVEfmt ');
  assert.equal(u.readUInt16LE(20), 7);
  assert.equal(u.toString('latin1', 50, 54), 'data');
  const samples = u.subarray(58);
  assert.equal(samples.length, 800);
  assert.equal(readAudio(u, 'u.wav', 'ulaw').samples.toString('hex'), samples.toString('hex'));
  const a = toneWav('alaw', { durationMs: 100 });
  assert.equal(a.readUInt16LE(20), 6);
  assert.equal(readAudio(a, 'a.wav', 'alaw').samples.toString('hex'), a.subarray(58).toString('hex'));
});

test('a G.711 WAV decoded by audioop is the tone asked for: a 1 kHz sine crosses zero 2000 times a second', { skip: noAudioop }, () => {
  const wav = toneWav('ulaw', { frequencyHz: 1000, durationMs: 1000 });
  const pcm = python(
    'import audioop, sys\nsys.stdout.buffer.write(audioop.ulaw2lin(sys.stdin.buffer.read(), 2))',
    readAudio(wav, 't.wav', 'ulaw').samples,
  );
  let crossings = 0;
  let peak = 0;
  for (let i = 1; i < pcm.length / 2; i++) {
    const prev = pcm.readInt16LE(2 * (i - 1));
    const cur = pcm.readInt16LE(2 * i);
    if ((prev < 0 && cur >= 0) || (prev >= 0 && cur < 0)) crossings++;
    peak = Math.max(peak, Math.abs(cur));
  }
  assert.ok(Math.abs(crossings - 2000) <= 2, `zero crossings: ${crossings}`);
  // Default amplitude 0.5 of full scale: 16383, within G.711's step at that level (1024 in µ-law segment 7).
  assert.ok(Math.abs(peak - 16383) < 1024, `peak ${peak}`);
});

test("a file that is not RIFF/WAVE is raw G.711, streamed as it is (as SIPp's rtp_stream takes it)", () => {
  const raw = Buffer.from([0xd5, 0x55, 0xaa, 0x2a]);
  assert.equal(readAudio(raw, 'x.raw', 'alaw').samples, raw);
});

test('WAV errors name the file and the byte offset and say how to fix', { skip: noAudioop }, () => {
  // Python wave's header: RIFF 12, then "fmt " at 12, its body at 20 (channels at 22, rate at 24, bits at 34).
  const stereo = pythonWav(new Int16Array(16), 2);
  assert.throws(() => readWav(stereo, 's.wav', 'ulaw'), /^SiptsError: s\.wav: byte 22: 2 channels: sipts streams mono audio/);
  const wide = pythonWav(new Int16Array(16), 1, 16000);
  assert.throws(() => readWav(wide, 'w.wav', 'ulaw'), /w\.wav: byte 24: a sample rate of 16000 Hz: G\.711 is 8000 Hz/);
  const float = Buffer.from(pythonWav(new Int16Array(16)));
  float.writeUInt16LE(3, 20);
  assert.throws(() => readWav(float, 'f.wav', 'ulaw'), /f\.wav: byte 20: WAV format 3 is not supported/);
  const noData = pythonWav(new Int16Array(0)).subarray(0, 36);
  assert.throws(() => readWav(noData, 'n.wav', 'ulaw'), /n\.wav: byte 36: no "data" chunk/);
  assert.throws(() => readAudio(Buffer.alloc(0), 'e.raw', 'ulaw'), /e\.raw: byte 0: the audio file is empty/);
});
