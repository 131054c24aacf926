/**
 * SIPp's media dialect: the media forms of <exec> (play_pcap_audio/video/image, rtp_stream, play_dtmf, 3.7's
 * rtp_echo) and the <rtp_echo> action, read into typed actions with every bad value reported at its place.
 * The files they name are read at compile time (compile-media.ts).
 */
import { PATTERN_IDS } from '../media/pattern.js';
import type { Action, MediaAction, Operand } from './action-ast.js';
import type { AttrReader } from './attrs.js';
import type { Loc } from './source-refs.js';
import type { XmlAttr, XmlElement } from './xml.js';

/** The <exec> attributes, in the order SIPp looks for them (scenario.cpp): the first one given is the action. */
export const EXEC_FORMS = [
  'command',
  'int_cmd',
  'play_pcap_audio',
  'play_pcap_image',
  'play_pcap_video',
  'play_dtmf',
  'rtp_stream',
  'rtp_echo',
] as const;
export const MEDIA_FORMS: readonly string[] = EXEC_FORMS.slice(2);

const STREAM_EXAMPLE =
  'rtp_stream="hello.wav,1,8" (file, loops (-1: for ever), payload type), "pause" or "resume", or a pattern: "apattern,1,0,PCMU/8000"';
const ECHO_EXAMPLE =
  'rtp_echo="startaudio,8" (startaudio, updateaudio, stopaudio, startvideo, updatevideo or stopvideo, then a payload type)';

/** Reads the media form `name` of an <exec>; undefined after reporting a bad value. */
export function loadExecMedia(name: string, a: XmlAttr, loc: Loc, r: AttrReader): Action | undefined {
  const media = mediaOf(name, a, r);
  return media === undefined ? undefined : { kind: 'media', loc, media };
}

function mediaOf(name: string, a: XmlAttr, r: AttrReader): MediaAction | undefined {
  const v = a.value.trim();
  switch (name) {
    case 'play_pcap_audio':
    case 'play_pcap_video':
    case 'play_pcap_image': {
      if (v === '') {
        r.report(a.offset, `${name} needs the capture file to play`, `e.g. ${name}="pcap/g711a.pcap"`);
        return undefined;
      }
      return {
        op: 'pcap',
        line: name === 'play_pcap_audio' ? 'audio' : name === 'play_pcap_video' ? 'video' : 'image',
        file: v,
        fileOffset: a.valueOffset,
      };
    }
    case 'play_dtmf':
      if (v === '') {
        r.report(a.offset, 'play_dtmf needs the digits to send', 'e.g. play_dtmf="123#" or play_dtmf="1,100" (digits, tone length in ms)');
        return undefined;
      }
      return { op: 'dtmf', digits: { text: a.value, offset: a.valueOffset } };
    case 'rtp_stream':
      return streamOf(v, a, r);
    default:
      return echoOf(v, a, r);
  }
}

function streamOf(v: string, a: XmlAttr, r: AttrReader): MediaAction | undefined {
  if (v === 'pause' || v === 'resume') return { op: v };
  const hold = /^(pause|resume)([av])pattern$/.exec(v);
  if (hold !== null) return { op: hold[1] as 'pause' | 'resume', line: hold[2] === 'a' ? 'audio' : 'video' };
  if (/^[av]pattern/.test(v)) return patternOf(v, a, r);
  const [file = '', loopsText, ptText, name = ''] = v.split(',');
  if (file === '') {
    r.report(a.offset, 'rtp_stream needs a file to stream', `e.g. ${STREAM_EXAMPLE}`);
    return undefined;
  }
  // SIPp reads loops and payload type with atoi; sipts wants whole numbers, so a typo is not a silent 0.
  const int = (text: string | undefined, what: string): number | undefined => {
    if (text === undefined || text.trim() === '') return undefined;
    if (!/^\s*-?\d+\s*$/.test(text)) {
      r.report(a.offset, `rtp_stream ${what} "${text}" is not a whole number`, `e.g. ${STREAM_EXAMPLE}`);
      return Number.NaN;
    }
    return Number(text);
  };
  const loops = int(loopsText, 'loop count') ?? 1;
  const payloadType = int(ptText, 'payload type');
  if (Number.isNaN(loops) || (payloadType !== undefined && Number.isNaN(payloadType))) return undefined;
  if (loops === 0 || loops < -1) {
    r.report(a.offset, `rtp_stream loop count ${loops}: give 1 or more, or -1 to loop until the call ends`, `e.g. ${STREAM_EXAMPLE}`);
    return undefined;
  }
  if (payloadType !== undefined && (payloadType < 0 || payloadType > 127)) {
    r.report(a.offset, `rtp_stream payload type ${payloadType} is not an RTP payload type (0-127)`, 'e.g. 0 for PCMU, 8 for PCMA');
    return undefined;
  }
  return { op: 'stream', file: file.trim(), fileOffset: a.valueOffset, loops, payloadType, payloadName: name.trim() };
}

const PATTERN_EXAMPLE =
  'rtp_stream="apattern,1,0,PCMU/8000" (apattern or vpattern, pattern id 1-6, payload type, codec name), "pauseapattern" or "resumeapattern"';

/**
 * SIPp 3.7's pattern forms (scenario.cpp and actions.cpp: the word, then pattern id, payload type and codec name,
 * each optional). The id defaults to 1, the payload type to -rtp_payload (compile-media.ts), and a pattern plays
 * until the call ends (SIPp's loop count -1: no field sets it).
 */
function patternOf(v: string, a: XmlAttr, r: AttrReader): MediaAction | undefined {
  const [word = '', idText, ptText, name = ''] = v.split(',');
  if (word !== 'apattern' && word !== 'vpattern') {
    // SIPp compares only the first 8 characters; a longer word is a typo here.
    r.report(a.offset, `rtp_stream="${v}": "${word}" is not apattern or vpattern`, `e.g. ${PATTERN_EXAMPLE}`);
    return undefined;
  }
  // SIPp reads the numbers with atoi; sipts wants whole numbers, so a typo is not a silent 0.
  const int = (text: string | undefined, what: string): number | undefined => {
    if (text === undefined || text.trim() === '') return undefined;
    if (!/^\s*-?\d+\s*$/.test(text)) {
      r.report(a.offset, `rtp_stream ${word} ${what} "${text}" is not a whole number`, `e.g. ${PATTERN_EXAMPLE}`);
      return Number.NaN;
    }
    return Number(text);
  };
  const patternId = int(idText, 'pattern id') ?? PATTERN_IDS.min;
  const payloadType = int(ptText, 'payload type');
  if (Number.isNaN(patternId) || (payloadType !== undefined && Number.isNaN(payloadType))) return undefined;
  if (patternId < PATTERN_IDS.min || patternId > PATTERN_IDS.max) {
    r.report(
      a.offset,
      `rtp_stream ${word} pattern id ${patternId}: SIPp has patterns ${PATTERN_IDS.min} to ${PATTERN_IDS.max}`,
      `e.g. ${PATTERN_EXAMPLE}`,
    );
    return undefined;
  }
  if (payloadType !== undefined && (payloadType < 0 || payloadType > 127)) {
    r.report(a.offset, `rtp_stream ${word} payload type ${payloadType} is not an RTP payload type (0-127)`, 'e.g. 0 for PCMU, 8 for PCMA');
    return undefined;
  }
  return {
    op: 'pattern',
    line: word === 'apattern' ? 'audio' : 'video',
    patternId,
    payloadType,
    payloadName: name.trim(),
    offset: a.offset,
  };
}

function echoOf(v: string, a: XmlAttr, r: AttrReader): MediaAction | undefined {
  const m = /^(start|update|stop)(audio|video)(?:,|$)/.exec(v);
  if (m === null) {
    r.report(a.offset, `rtp_echo="${v}" is not an echo command`, `e.g. ${ECHO_EXAMPLE}`);
    return undefined;
  }
  return { op: 'echo', what: m[1] as 'start' | 'update' | 'stop', line: m[2] as 'audio' | 'video' };
}

/** SIPp 3.6.1's <rtp_echo value="1"/> or variable="v": this call's echo on (non-zero) or off. */
export function loadRtpEchoElement(el: XmlElement, r: AttrReader, loc: Loc): Action | undefined {
  const v = el.attrs.get('value');
  const va = el.attrs.get('variable');
  if (v !== undefined && va !== undefined) {
    r.report(va.offset, '<rtp_echo> has both value and variable', 'keep one of them');
    return undefined;
  }
  let value: Operand;
  if (va !== undefined) {
    const ref = r.variable(va, 'variable');
    if (ref === undefined) return undefined;
    value = { variable: ref };
  } else if (v !== undefined) {
    if (r.number(v, 'value') === undefined) return undefined;
    value = { literal: v.value };
  } else {
    r.report(el.offset, '<rtp_echo> needs value="…" or variable="…"', 'e.g. <rtp_echo value="1"/> (0 turns it off)');
    return undefined;
  }
  return { kind: 'media', loc, media: { op: 'echoSwitch', value } };
}
