/** Finds and compiles the scenario a command line asks for. */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { checkFieldCount, InjectionStore, lineCount, parseInjection, type InjectionFile } from '../data/injection.js';
import { DiagnosticsError, SiptsError, type Diagnostic } from '../errors.js';
import { builtinNames, readBuiltin, whyNotRunnable } from '../scenario/builtin.js';
import { compileScenarioSource, type CompiledScenario } from '../scenario/compile.js';
import type { MediaOptions } from '../scenario/compile-media.js';
import { dtmfClip } from '../media/dtmf.js';
import { toneClip } from '../media/tone.js';
import type { TemplateEnv } from '../scenario/keywords.js';
import { VERSION } from '../version.js';
import type { RunConfig, ScenarioSource } from './config.js';
import { errnoCode } from '../thrown.js';

export function templateEnv(c: RunConfig, pid: number): TemplateEnv {
  const esc = (ip: string): string => (isIP(ip) === 6 ? `[${ip}]` : ip);
  return {
    service: c.service,
    pid,
    transport: c.transport,
    localIpEscaped: esc(c.localIp),
    localIpType: isIP(c.localIp) === 6 ? 6 : 4,
    localIpPerCall: c.ipField !== undefined,
    mediaIpEscaped: esc(c.mediaIp),
    mediaIpType: isIP(c.mediaIp) === 6 ? 6 : 4,
    mediaPort: c.mediaPort,
    keys: c.keys,
    globals: c.globals,
    injectionFiles: injectionSources(c).map((f) => f.path),
    authUser: c.authUser,
    authPassword: c.authPassword,
    authUri: c.authUri,
    users: c.users,
    version: VERSION,
    remoteHost: c.remote?.host ?? '',
  };
}

export function loadScenario(c: RunConfig, env: TemplateEnv): CompiledScenario {
  const s = c.scenario;
  if (s === undefined) throw new SiptsError('NO_SCENARIO', 'no scenario given', 'add -sn uac, -sn uas or -sf file.xml');
  return compileSource(s, ['sn', 'sf'], env, mediaOptions(c));
}

/** Debian's sip-tester package puts SIPp's sample captures here (g711a.pcap, dtmf_2833_*.pcap). */
export const SIP_TESTER_DIR = '/usr/share/sip-tester';

/**
 * How the media files a scenario names are found. A built-in's (uac_pcap's pcap/g711a.pcap and
 * pcap/dtmf_2833_1.pcap) are looked for in the working directory, then in Debian's sip-tester directory; found
 * nowhere, the built-in plays media sipts makes itself: 8 s of a 1 kHz tone as PCMA, and the digit 1 as an
 * RFC 4733 event. No sample media ships with sipts.
 */
function mediaOptions(c: RunConfig): MediaOptions {
  const rtpPayload = c.media.rtpPayload;
  if (c.scenario?.kind !== 'builtin') return { rtpPayload };
  return {
    rtpPayload,
    searchDirs: [SIP_TESTER_DIR],
    generated: (name) => {
      if (/g711a\.pcap$/.test(name))
        return { clip: toneClip('alaw', { durationMs: 8000 }), note: 'playing 8 s of a 1 kHz tone that sipts makes (PCMA) instead' };
      const digit = /dtmf_2833_(\d)\.pcap$/.exec(name);
      if (digit !== null)
        return {
          clip: dtmfClip(digit[1] ?? '1', { ssrc: 0 }),
          note: `playing the digit ${digit[1] ?? '1'} as RFC 4733 events that sipts makes instead`,
        };
      return undefined;
    },
  };
}

/**
 * -oocsf / -oocsn: the out-of-call scenario, or undefined without one. SIPp compat: refused beside a main
 * scenario that answers calls (there every unknown Call-ID is a new call), and it may read no injection file.
 */
export function loadOutOfCall(c: RunConfig, env: TemplateEnv, main: CompiledScenario): CompiledScenario | undefined {
  const s = c.outOfCall;
  if (s === undefined) return undefined;
  const option = s.kind === 'builtin' ? `-oocsn ${s.name}` : `-oocsf ${s.path}`;
  if (main.serverMode)
    throw new SiptsError(
      'OOC_SERVER_MODE',
      `${option}: an out-of-call scenario cannot be used when the main scenario answers calls (it starts with <recv>)`,
      'use -oocsf/-oocsn with a scenario that places calls, e.g. -sn uac',
    );
  const ooc = compileSource(s, ['oocsn', 'oocsf'], env);
  if (!ooc.serverMode)
    throw new SiptsError(
      'OOC_NOT_ANSWERING',
      `${option}: an out-of-call scenario answers a request: it must start with <recv request="…"/>`,
      'e.g. <recv request=".*" regexp_match="true"/>, as in -sd ooc_default',
    );
  if (ooc.fieldsUsed.some((f) => f >= 0))
    throw new SiptsError(
      'OOC_INJECTION',
      `${option}: an out-of-call scenario cannot read injection files ([field…])`,
      'its calls are started by requests, not by -inf lines: remove the [field…] keywords',
    );
  return ooc;
}

function compileSource(
  s: ScenarioSource,
  [byName, byFile]: readonly [string, string],
  env: TemplateEnv,
  media: MediaOptions = {},
): CompiledScenario {
  if (s.kind === 'builtin') {
    const b = readBuiltin(s.name);
    if (b === undefined)
      throw new SiptsError(
        'UNKNOWN_BUILTIN',
        `-${byName} ${s.name}: no such built-in scenario`,
        `built-in scenarios: ${builtinNames().join(', ')}`,
      );
    const why = whyNotRunnable(s.name);
    if (why !== undefined) throw new SiptsError('NOT_SUPPORTED', `-${byName} ${s.name}: ${why}`, `-sd ${s.name} prints it`);
    return compileScenarioSource(`${s.name}.xml`, b.source, env, media);
  }
  let source: string;
  try {
    source = readFileSync(s.path, 'utf8');
  } catch (e) {
    const code = errnoCode(e) ?? 'error';
    throw new SiptsError(
      'SCENARIO_UNREADABLE',
      `-${byFile} ${s.path}: cannot read the scenario file (${code})`,
      'check the path and its permissions',
    );
  }
  return compileScenarioSource(s.path, source, env, media);
}

/**
 * -rxsf / -rxsn (SIPp 3.7): the receive scenario and its -rxinf injection, or undefined without one. SIPp
 * compat: the main scenario must place calls and the receive one answer them.
 */
export function loadReceive(
  c: RunConfig,
  env: TemplateEnv,
  main: CompiledScenario,
): { scenario: CompiledScenario; injection: InjectionStore } | undefined {
  const s = c.receive;
  if (s === undefined) return undefined;
  const option = s.kind === 'builtin' ? `-rxsn ${s.name}` : `-rxsf ${s.path}`;
  if (main.serverMode)
    throw new SiptsError(
      'RX_MAIN_SERVER',
      `${option}: the main scenario (-sf/-sn) must place calls when a receive scenario runs beside it`,
      'give the calling scenario with -sf/-sn and the answering one with -rxsf/-rxsn',
    );
  const files = c.receiveInjectionFiles.map((path) => ({ path, text: undefined }));
  const scenario = compileSource(s, ['rxsn', 'rxsf'], { ...env, injectionFiles: files.map((f) => f.path) });
  if (!scenario.serverMode)
    throw new SiptsError(
      'RX_NOT_SERVER',
      `${option}: a receive scenario answers calls: it must start with <recv request="…"/>`,
      'e.g. -rxsn uas',
    );
  return { scenario, injection: loadInjectionFiles(c, scenario, files) };
}

/** Name of the one-line injection built from -au/-ap (see injectionSources). */
const AU_AP = '(-au/-ap)';

/**
 * The injection files of a run: the -inf files; or, for a built-in scenario given none, one line made of
 * -au and -ap, so that `-sn register` registers that one user (built-ins read user;password fields).
 */
function injectionSources(c: RunConfig): { path: string; text: string | undefined }[] {
  if (c.injectionFiles.length > 0 || c.scenario?.kind !== 'builtin') return c.injectionFiles.map((path) => ({ path, text: undefined }));
  return [{ path: AU_AP, text: `SEQUENTIAL\n${c.authUser};${c.authPassword}\n` }];
}

/** Reads the -inf files and checks every line holds the fields the scenario reads: all before any call. */
export function loadInjection(c: RunConfig, scenario: CompiledScenario): InjectionStore {
  return loadInjectionFiles(c, scenario, injectionSources(c));
}

function loadInjectionFiles(
  c: RunConfig,
  scenario: CompiledScenario,
  sources: readonly { path: string; text: string | undefined }[],
): InjectionStore {
  const diagnostics: Diagnostic[] = [];
  const files: InjectionFile[] = [];
  sources.forEach((source, i) => {
    const path = source.path;
    let text: string | Buffer;
    try {
      text = source.text ?? readFileSync(path);
    } catch (e) {
      const code = errnoCode(e) ?? 'error';
      diagnostics.push({
        file: path,
        line: 1,
        col: 1,
        message: `-inf ${path}: cannot read the injection file (${code})`,
        hint: 'check the path and its permissions',
      });
      return;
    }
    const f = parseInjection(path, text, diagnostics);
    if (f === undefined) return;
    checkFieldCount(f, scenario.fieldsUsed[i] ?? -1, diagnostics);
    // SIPp compat: user k reads line k of a USER file, and SIPp stops when a user has no line ("has only N
    // lines, yet user K was requested"); sipts says so before the first call.
    if (f.order === 'USER' && c.users > lineCount(f)) {
      diagnostics.push({
        file: path,
        line: 1,
        col: 1,
        message: `${path} has only ${lineCount(f)} lines, yet -users ${c.users} asks for user ${c.users} (a USER file has a line per user)`,
        hint: `add lines for users ${lineCount(f) + 1} to ${c.users}, or lower -users`,
      });
    }
    files.push(f);
  });
  const indexes = c.injectionIndexes.map((ix) => {
    const file = files.findIndex((f) => f.path === ix.file || f.path.replace(/^.*\//, '') === ix.file.replace(/^.*\//, ''));
    if (file < 0)
      diagnostics.push({
        file: ix.file,
        line: 1,
        col: 1,
        message: `-infindex ${ix.file} ${ix.field}: the file is not given with -inf`,
        hint: `add -inf ${ix.file}`,
      });
    return { file, field: ix.field };
  });
  if (diagnostics.length > 0) throw new DiagnosticsError('INJECTION_INVALID', diagnostics);
  return new InjectionStore(files, indexes);
}

/**
 * SHA-256 (hex) of the main scenario's XML text, for `sipts merge` to tell segments of one run from runs of
 * different scenarios. Read after loadScenario(), which reported an unreadable file already.
 */
export function scenarioSha256(c: RunConfig): string {
  const s = c.scenario;
  const text = s === undefined ? '' : s.kind === 'builtin' ? (readBuiltin(s.name)?.source ?? '') : readFileSync(s.path, 'utf8');
  return createHash('sha256').update(text).digest('hex');
}
