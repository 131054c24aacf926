/** The actions of SIPp's <action> element, typed, each with its place. */
import type { Distribution } from '../load/distributions.js';
import type { Loc, TemplateSource, VarRef } from './source-refs.js';

export type Compare = 'equal' | 'not_equal' | 'greater_than' | 'less_than' | 'greater_than_equal' | 'less_than_equal';
export type Arith = 'add' | 'subtract' | 'multiply' | 'divide';
export type SearchIn = 'msg' | 'hdr' | 'body' | 'var';
export type IntCmd = 'stop_call' | 'stop_gracefully' | 'stop_now';

/** check_it / check_it_inverse on <test> and <strcmp>. */
export type Check = 'none' | 'it' | 'inverse';

/** A value given either as a literal or by a variable (SIPp's value= / variable2= pairs). */
export type Operand = { readonly literal: string } | { readonly variable: VarRef };

/** Which SDP media line an action plays on (SIPp: the m=audio, m=video or m=image port). */
export type MediaLine = 'audio' | 'video' | 'image';

/** SIPp's media actions: the <exec> media forms and <rtp_echo>. */
export type MediaAction =
  /** <exec play_pcap_audio|video|image="file">: replay a capture's UDP payloads. */
  | { readonly op: 'pcap'; readonly line: MediaLine; readonly file: string; readonly fileOffset: number }
  /** <exec rtp_stream="file[,loops[,payload type[,payload name]]]">: loops -1 for ever. */
  | {
      readonly op: 'stream';
      readonly file: string;
      readonly fileOffset: number;
      readonly loops: number;
      readonly payloadType: number | undefined;
      readonly payloadName: string;
    }
  /**
   * SIPp 3.7's <exec rtp_stream="apattern|vpattern[,pattern id[,payload type[,codec name]]]">: a generated
   * pattern played for ever on the audio or video line.
   */
  | {
      readonly op: 'pattern';
      readonly line: 'audio' | 'video';
      readonly patternId: number;
      readonly payloadType: number | undefined;
      readonly payloadName: string;
      /** The attribute's place, for errors found when the codec is known (-rtp_payload is the default type). */
      readonly offset: number;
    }
  /**
   * <exec rtp_stream="pause|resume">, and SIPp 3.7's "pauseapattern" … "resumevpattern" (with `line`): separate
   * holds, as in SIPp, where a stream goes on only when neither holds it.
   */
  | { readonly op: 'pause' | 'resume'; readonly line?: 'audio' | 'video' }
  /** <exec play_dtmf="digits[,tone ms]">: RFC 4733 events; keywords are rendered per call. */
  | { readonly op: 'dtmf'; readonly digits: TemplateSource }
  /** SIPp 3.7's <exec rtp_echo="startaudio|updateaudio|stopaudio|…video[,payload type[,name]]">. */
  | { readonly op: 'echo'; readonly what: 'start' | 'update' | 'stop'; readonly line: 'audio' | 'video' }
  /** SIPp 3.6.1's <rtp_echo value|variable=…>: this call's echo on (non-zero) or off. */
  | { readonly op: 'echoSwitch'; readonly value: Operand };

export type Action =
  | {
      readonly kind: 'ereg';
      readonly loc: Loc;
      readonly regexp: string;
      readonly regexpOffset: number;
      readonly searchIn: SearchIn;
      readonly header: string | undefined;
      readonly variable: VarRef | undefined;
      /** 1-based; 0 is the first too (SIPp). */
      readonly occurrence: number;
      readonly caseIndep: boolean;
      readonly startLine: boolean;
      readonly checkIt: boolean;
      readonly checkItInverse: boolean;
      readonly assignTo: readonly VarRef[];
    }
  | { readonly kind: 'assign'; readonly loc: Loc; readonly assignTo: VarRef; readonly value: Operand }
  | { readonly kind: 'assignstr'; readonly loc: Loc; readonly assignTo: VarRef; readonly value: TemplateSource }
  | { readonly kind: 'arith'; readonly loc: Loc; readonly op: Arith; readonly assignTo: VarRef; readonly value: Operand }
  | { readonly kind: 'todouble'; readonly loc: Loc; readonly assignTo: VarRef; readonly variable: VarRef }
  /** check_it: the call fails when the test is false; check_it_inverse: when it is true. assign_to is then optional. */
  | {
      readonly kind: 'test';
      readonly loc: Loc;
      readonly assignTo: VarRef | undefined;
      readonly variable: VarRef;
      readonly compare: Compare;
      readonly value: Operand;
      readonly check: Check;
    }
  | {
      readonly kind: 'strcmp';
      readonly loc: Loc;
      readonly assignTo: VarRef | undefined;
      readonly variable: VarRef;
      readonly value: Operand;
      readonly check: Check;
    }
  /** Closes the call's connection (TCP/TLS/WS); nothing over UDP. */
  | { readonly kind: 'closecon'; readonly loc: Loc }
  | { readonly kind: 'log'; readonly loc: Loc; readonly level: 'log' | 'warning' | 'error'; readonly message: TemplateSource }
  | { readonly kind: 'exec'; readonly loc: Loc; readonly command: TemplateSource | undefined; readonly intCmd: IntCmd | undefined }
  | { readonly kind: 'media'; readonly loc: Loc; readonly media: MediaAction }
  | { readonly kind: 'jump'; readonly loc: Loc; readonly value: Operand }
  | { readonly kind: 'pauserestore'; readonly loc: Loc; readonly value: Operand }
  | { readonly kind: 'index'; readonly loc: Loc; readonly assignTo: VarRef }
  | { readonly kind: 'gettimeofday'; readonly loc: Loc; readonly assignTo: readonly VarRef[] }
  | {
      readonly kind: 'lookup';
      readonly loc: Loc;
      readonly assignTo: VarRef;
      readonly file: string;
      readonly fileOffset: number;
      readonly key: TemplateSource;
    }
  | { readonly kind: 'insert'; readonly loc: Loc; readonly file: string; readonly fileOffset: number; readonly value: TemplateSource }
  | {
      readonly kind: 'replace';
      readonly loc: Loc;
      readonly file: string;
      readonly fileOffset: number;
      readonly line: TemplateSource;
      readonly value: TemplateSource;
    }
  | { readonly kind: 'setdest'; readonly loc: Loc; readonly host: TemplateSource; readonly port: TemplateSource; readonly protocol: string }
  | { readonly kind: 'sample'; readonly loc: Loc; readonly assignTo: VarRef; readonly distribution: Distribution }
  | {
      readonly kind: 'verifyauth';
      readonly loc: Loc;
      readonly assignTo: VarRef;
      readonly username: TemplateSource;
      readonly password: TemplateSource;
    }
  | { readonly kind: 'strfn'; readonly loc: Loc; readonly fn: 'urlencode' | 'urldecode' | 'trim'; readonly variable: VarRef };
