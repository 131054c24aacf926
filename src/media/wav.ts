import { encodeG711, transcodeG711, type G711Law } from './g711.js';
import { mediaFileError } from './media-error.js';

/**
 * WAV (RIFF) audio → G.711 bytes for rtp_stream. Accepted: 8 kHz mono PCM 16-bit (format 1, encoded here to the
 * law the payload type asks for), A-law (format 6) and µ-law (format 7); WAVE_FORMAT_EXTENSIBLE (0xFFFE) with
 * one of those as its sub-format. A file that is not RIFF/WAVE is raw G.711 bytes, taken as they are.
 *
 * SIPp compat: SIPp 3.6.1's rtp_stream streams a file's bytes as they are, a WAV header included (newer SIPp
 * skips the header); sipts reads the header, so a WAV file's samples are what is sent.
 */

const FORMAT_PCM = 1;
const FORMAT_ALAW = 6;
const FORMAT_ULAW = 7;
const FORMAT_EXTENSIBLE = 0xfffe;
const SAMPLE_RATE = 8000;

export interface G711Audio {
  readonly law: G711Law;
  /** One octet per sample at 8 kHz. */
  readonly samples: Buffer;
}

export function isWav(bytes: Uint8Array): boolean {
  return bytes.length >= 12 && ascii(bytes, 0, 4) === 'RIFF' && ascii(bytes, 8, 4) === 'WAVE';
}

/** Audio file bytes → G.711 samples in `law` (from the payload type: 0 PCMU → µ-law, 8 PCMA → A-law). */
export function readAudio(bytes: Buffer, file: string, law: G711Law): G711Audio {
  if (!isWav(bytes)) {
    if (bytes.length === 0)
      throw mediaFileError(
        file,
        0,
        'the audio file is empty',
        'give G.711 audio: a WAV file (8 kHz mono, PCM 16-bit, A-law or µ-law) or raw A-law/µ-law bytes',
      );
    // Raw audio: already coded for the payload type, as SIPp's rtp_stream takes it.
    return { law, samples: bytes };
  }
  return readWav(bytes, file, law);
}

export function readWav(bytes: Buffer, file: string, law: G711Law): G711Audio {
  let format: { tag: number; channels: number; rate: number; bits: number } | undefined;
  let at = 12;
  const fix = 'convert it to 8 kHz mono G.711 or 16-bit PCM, e.g. sox in.wav -r 8000 -c 1 -e a-law out.wav';
  while (at + 8 <= bytes.length) {
    const id = ascii(bytes, at, 4);
    const size = bytes.readUInt32LE(at + 4);
    const body = at + 8;
    if (id === 'fmt ') {
      if (size < 16 || body + size > bytes.length)
        throw mediaFileError(
          file,
          at + 4,
          `a "fmt " chunk of ${size} octets (16 or more, within the file, expected)`,
          'the file is damaged: export it again',
        );
      let tag = bytes.readUInt16LE(body);
      if (tag === FORMAT_EXTENSIBLE) {
        if (size < 40)
          throw mediaFileError(file, body, 'an extensible "fmt " chunk shorter than 40 octets', 'the file is damaged: export it again');
        tag = bytes.readUInt16LE(body + 24); // the sub-format GUID starts with the format tag
      }
      format = { tag, channels: bytes.readUInt16LE(body + 2), rate: bytes.readUInt32LE(body + 4), bits: bytes.readUInt16LE(body + 14) };
      if (format.tag !== FORMAT_PCM && format.tag !== FORMAT_ALAW && format.tag !== FORMAT_ULAW)
        throw mediaFileError(file, body, `WAV format ${format.tag} is not supported (1 PCM, 6 A-law, 7 µ-law are)`, fix);
      if (format.channels !== 1) throw mediaFileError(file, body + 2, `${format.channels} channels: sipts streams mono audio`, fix);
      if (format.rate !== SAMPLE_RATE) throw mediaFileError(file, body + 4, `a sample rate of ${format.rate} Hz: G.711 is 8000 Hz`, fix);
      const bitsWanted = format.tag === FORMAT_PCM ? 16 : 8;
      if (format.bits !== bitsWanted)
        throw mediaFileError(file, body + 14, `${format.bits} bits per sample (${bitsWanted} expected for format ${format.tag})`, fix);
    } else if (id === 'data') {
      if (format === undefined)
        throw mediaFileError(file, at, 'a "data" chunk before the "fmt " chunk', 'the file is damaged: export it again');
      // A writer that streamed the file may leave the size too large (0xFFFFFFFF): the data ends with the file.
      const data = bytes.subarray(body, Math.min(bytes.length, body + size));
      if (format.tag === FORMAT_PCM) {
        const count = Math.floor(data.length / 2);
        const pcm = new Int16Array(count);
        for (let i = 0; i < count; i++) pcm[i] = data.readInt16LE(2 * i);
        return { law, samples: encodeG711(pcm, law) };
      }
      const fileLaw: G711Law = format.tag === FORMAT_ALAW ? 'alaw' : 'ulaw';
      return { law, samples: transcodeG711(data, fileLaw, law) };
    }
    at = body + size + (size % 2); // RIFF chunks are padded to an even length
  }
  throw mediaFileError(
    file,
    bytes.length,
    format === undefined ? 'no "fmt " chunk in the WAV file' : 'no "data" chunk in the WAV file',
    'the file is damaged: export it again',
  );
}

function ascii(b: Uint8Array, at: number, n: number): string {
  return Buffer.from(b.buffer, b.byteOffset + at, n).toString('latin1');
}

/**
 * The "data" chunk of a WAV file whatever its format, for codecs sipts does not decode (G.722, G.729, iLBC):
 * their frames are streamed as they are, as newer SIPp does after skipping the header.
 */
export function wavData(bytes: Buffer, file: string): Buffer {
  let at = 12;
  while (at + 8 <= bytes.length) {
    const size = bytes.readUInt32LE(at + 4);
    if (ascii(bytes, at, 4) === 'data') return bytes.subarray(at + 8, Math.min(bytes.length, at + 8 + size));
    at += 8 + size + (size % 2);
  }
  throw mediaFileError(file, bytes.length, 'no "data" chunk in the WAV file', 'the file is damaged: export it again');
}
