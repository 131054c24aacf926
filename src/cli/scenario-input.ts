/** Finds and compiles the scenario a command line asks for. */
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { checkFieldCount, InjectionStore, parseInjection, type InjectionFile } from '../data/injection.js';
import { DiagnosticsError, SiptsError, type Diagnostic } from '../errors.js';
import { builtinNames, readBuiltin } from '../scenario/builtin.js';
import { compileScenarioSource, type CompiledScenario } from '../scenario/compile.js';
import type { TemplateEnv } from '../scenario/keywords.js';
import { VERSION } from '../version.js';
import type { RunConfig } from './config.js';

export function templateEnv(c: RunConfig, pid: number): TemplateEnv {
  const esc = (ip: string): string => (isIP(ip) === 6 ? `[${ip}]` : ip);
  return {
    service: c.service, pid, transport: c.transport,
    localIpEscaped: esc(c.localIp), localIpType: isIP(c.localIp) === 6 ? 6 : 4, localIpPerCall: c.ipField !== undefined,
    mediaIpEscaped: esc(c.mediaIp), mediaIpType: isIP(c.mediaIp) === 6 ? 6 : 4, mediaPort: c.mediaPort,
    keys: c.keys, globals: c.globals, injectionFiles: injectionSources(c).map((f) => f.path), authUser: c.authUser, authPassword: c.authPassword, users: c.users, version: VERSION,
    remoteHost: c.remote?.host ?? '',
  };
}

export function loadScenario(c: RunConfig, env: TemplateEnv): CompiledScenario {
  const s = c.scenario;
  if (s === undefined) throw new SiptsError('NO_SCENARIO', 'no scenario given', 'add -sn uac, -sn uas or -sf file.xml');
  if (s.kind === 'builtin') {
    const b = readBuiltin(s.name);
    if (b === undefined) throw new SiptsError('UNKNOWN_BUILTIN', `-sn ${s.name}: no such built-in scenario`, `built-in scenarios: ${builtinNames().join(', ')}`);
    return compileScenarioSource(`${s.name}.xml`, b.source, env);
  }
  let source: string;
  try {
    source = readFileSync(s.path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'error';
    throw new SiptsError('SCENARIO_UNREADABLE', `-sf ${s.path}: cannot read the scenario file (${code})`, 'check the path and its permissions');
  }
  return compileScenarioSource(s.path, source, env);
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
  const diagnostics: Diagnostic[] = [];
  const files: InjectionFile[] = [];
  injectionSources(c).forEach(({ path, text: given }, i) => {
    let text: string;
    try {
      text = given ?? readFileSync(path, 'utf8');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? 'error';
      diagnostics.push({ file: path, line: 1, col: 1, message: `-inf ${path}: cannot read the injection file (${code})`, hint: 'check the path and its permissions' });
      return;
    }
    const f = parseInjection(path, text, diagnostics);
    if (f === undefined) return;
    checkFieldCount(f, scenario.fieldsUsed[i] ?? -1, diagnostics);
    files.push(f);
  });
  const indexes = c.injectionIndexes.map((ix) => {
    const file = files.findIndex((f) => f.path === ix.file || f.path.replace(/^.*\//, '') === ix.file.replace(/^.*\//, ''));
    if (file < 0) diagnostics.push({ file: ix.file, line: 1, col: 1, message: `-infindex ${ix.file} ${ix.field}: the file is not given with -inf`, hint: `add -inf ${ix.file}` });
    return { file, field: ix.field };
  });
  if (diagnostics.length > 0) throw new DiagnosticsError('INJECTION_INVALID', diagnostics);
  return new InjectionStore(files, indexes);
}
