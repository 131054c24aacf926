/**
 * Media actions → their runtime form. The files they name are found and read here, at load time, so that a
 * missing file, a file that is not a capture or holds no RTP is an error at its place in the scenario before
 * the first call, and no call reads a file.
 */
import { existsSync } from 'node:fs';
import { basename, dirname, isAbsolute, join } from 'node:path';
import { SiptsError } from '../errors.js';
import { loadAudioClip } from '../media/audio-clip.js';
import type { MediaClip } from '../media/clip.js';
import { patternClip, patternCodec } from '../media/pattern.js';
import { loadCaptureFile } from '../media/pcap.js';
import type { MediaAction, MediaLine } from './action-ast.js';
import type { Segment } from './segment.js';

/** How a scenario's media files are found and made. */
export interface MediaOptions {
  /** Directories searched, by the file's base name, after the scenario's own and the working directory. */
  readonly searchDirs?: readonly string[];
  /** -rtp_payload: the payload type of an rtp_stream that names none (SIPp's default: 8, PCMA). */
  readonly rtpPayload?: number;
  /** Media to use for a file found nowhere, by the name as the scenario writes it (a built-in's generated media). */
  readonly generated?: (name: string) => { readonly clip: MediaClip; readonly note: string } | undefined;
}

/** SIPp's default -rtp_payload. */
export const DEFAULT_RTP_PAYLOAD = 8;

export type CompiledMedia =
  | { readonly op: 'pcap'; readonly line: MediaLine; readonly clip: MediaClip; readonly file: string }
  | { readonly op: 'stream'; readonly clip: MediaClip; readonly loops: number; readonly file: string }
  /** A generated pattern (SIPp 3.7's apattern, vpattern), played until the call ends; `file` names it in reports. */
  | { readonly op: 'pattern'; readonly line: 'audio' | 'video'; readonly clip: MediaClip; readonly file: string }
  /** `line`: SIPp 3.7's pauseapattern … resumevpattern; none: pause and resume. */
  | { readonly op: 'pause' | 'resume'; readonly line?: 'audio' | 'video' }
  | { readonly op: 'dtmf'; readonly digits: readonly Segment[] }
  | { readonly op: 'echo'; readonly what: 'start' | 'update' | 'stop'; readonly line: 'audio' | 'video' };

export interface MediaCompiler {
  readonly scenarioFile: string;
  readonly options: MediaOptions;
  readonly report: (offset: number, message: string, hint?: string) => void;
  readonly warn: (offset: number, message: string) => void;
  readonly compileText: (t: { readonly text: string; readonly offset: number }) => readonly Segment[];
  /** Clips already read, by path and payload type: a file many actions name is read once. */
  readonly cache: Map<string, MediaClip>;
}

/**
 * Where a file named in a scenario is. SIPp compat (3.6.1's send_packets.c find_file): next to the scenario
 * first, then from the working directory; sipts then looks in `searchDirs` by base name.
 */
export function findMediaFile(
  name: string,
  scenarioFile: string,
  searchDirs: readonly string[] = [],
): { path: string | undefined; tried: string[] } {
  if (isAbsolute(name)) return { path: existsSync(name) ? name : undefined, tried: [name] };
  const tried = [join(dirname(scenarioFile), name), name, ...searchDirs.map((d) => join(d, basename(name)))];
  const unique = [...new Set(tried)];
  return { path: unique.find((p) => existsSync(p)), tried: unique };
}

export function compileMedia(c: MediaCompiler, m: Exclude<MediaAction, { op: 'echoSwitch' }>): CompiledMedia | undefined {
  switch (m.op) {
    case 'pause':
    case 'resume':
      return m.line === undefined ? { op: m.op } : { op: m.op, line: m.line };
    case 'pattern':
      return compilePattern(c, m);
    case 'echo':
      return { op: 'echo', what: m.what, line: m.line };
    case 'dtmf':
      return { op: 'dtmf', digits: c.compileText(m.digits) };
    case 'pcap': {
      // T.38 (m=image) is UDPTL, not RTP: every UDP payload is replayed, as SIPp does.
      const clip = readClip(c, m.file, m.fileOffset, m.line === 'image' ? 'udp' : 'capture', (path) => loadCaptureFile(path));
      return clip === undefined ? undefined : { op: 'pcap', line: m.line, clip, file: m.file };
    }
    case 'stream': {
      const pt = m.payloadType ?? c.options.rtpPayload ?? DEFAULT_RTP_PAYLOAD;
      // The clip's SSRC is a placeholder: each call sends with one of its own (media/rtp-rewrite.ts).
      const clip = readClip(c, m.file, m.fileOffset, `audio:${pt}`, (path) => loadAudioClip(path, pt, 0));
      return clip === undefined ? undefined : { op: 'stream', clip, loops: m.loops, file: m.file };
    }
  }
}

/** The pattern's clip, made once per pattern, payload type and codec (the cache is shared with the files'). */
function compilePattern(c: MediaCompiler, m: Extract<MediaAction, { op: 'pattern' }>): CompiledMedia | undefined {
  const pt = m.payloadType ?? c.options.rtpPayload ?? DEFAULT_RTP_PAYLOAD;
  const word = m.line === 'audio' ? 'apattern' : 'vpattern';
  const found = patternCodec(pt, m.payloadName);
  if ('error' in found) {
    c.report(m.offset, `rtp_stream ${word}: ${found.error}`, found.hint);
    return undefined;
  }
  const file = `${word},${m.patternId},${pt},${found.name}`;
  const key = `pattern:${file}`;
  let clip = c.cache.get(key);
  if (clip === undefined) {
    clip = patternClip(m.patternId, pt, found.codec);
    c.cache.set(key, clip);
  }
  return { op: 'pattern', line: m.line, clip, file };
}

function readClip(c: MediaCompiler, name: string, offset: number, kind: string, read: (path: string) => MediaClip): MediaClip | undefined {
  const found = findMediaFile(name, c.scenarioFile, c.options.searchDirs);
  if (found.path === undefined) {
    const generated = c.options.generated?.(name);
    if (generated !== undefined) {
      c.warn(offset, `${name} was found nowhere (${found.tried.join(', ')}): ${generated.note}`);
      return generated.clip;
    }
    c.report(
      offset,
      `cannot find the media file "${name}" (looked for ${found.tried.join(', ')})`,
      "give its path from the scenario file's directory or the working directory, or an absolute path",
    );
    return undefined;
  }
  const key = `${kind}:${found.path}`;
  const cached = c.cache.get(key);
  if (cached !== undefined) return cached;
  let clip: MediaClip;
  try {
    clip = read(found.path);
  } catch (e) {
    if (!(e instanceof SiptsError)) throw e;
    c.report(offset, e.message, e.hint);
    return undefined;
  }
  if (kind === 'capture' && clip.streams.length === 0) {
    c.report(
      offset,
      `${found.path}: the capture holds UDP packets but no RTP (version 2) stream`,
      "play_pcap_* replays RTP: capture the call's media (e.g. tcpdump -w media.pcap udp portrange 6000-7000)",
    );
    return undefined;
  }
  c.cache.set(key, clip);
  return clip;
}
