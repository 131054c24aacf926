/**
 * The 3PCC options and the scenario together → who listens and who connects (transport/twin.ts), with
 * SIPp's consistency rules (scenario.cpp computeSippMode, parsing of <sendCmd dest> / <recvCmd src>).
 */
import { DiagnosticsError, SiptsError, type Diagnostic } from '../errors.js';
import { StepKind, type CompiledScenario } from '../scenario/compile.js';
import type { TwinPlan } from '../transport/twin.js';
import type { TwinOptions } from './config.js';

export function twinPlan(twin: TwinOptions | undefined, scenario: CompiledScenario): TwinPlan | undefined {
  const first = scenario.twin.first;
  if (twin === undefined) {
    if (first === undefined) return undefined;
    throw new SiptsError(
      'NO_TWIN',
      `scenario "${scenario.name}" has <${first}Cmd> but no twin address was given`,
      'add -3pcc ip:port (two twins), or -master NAME / -slave NAME with -slave_cfg FILE (extended 3PCC)',
    );
  }
  if (first === undefined) {
    throw new SiptsError(
      'TWIN_UNUSED',
      `${twin.kind === 'classic' ? '-3pcc' : `-${twin.role}`} given, but scenario "${scenario.name}" has no <sendCmd> or <recvCmd>`,
      'run a 3PCC scenario (e.g. -sn 3pcc-C-A / 3pcc-C-B), or drop the 3PCC options',
    );
  }
  // SIPp compat: every twin command names its peer in extended mode, and none does in classic mode.
  const diagnostics: Diagnostic[] = [];
  for (const s of scenario.steps) {
    if (s.kind !== StepKind.SendCmd && s.kind !== StepKind.RecvCmd) continue;
    const attr = s.kind === StepKind.SendCmd ? 'dest' : 'src';
    const where = { file: scenario.file, line: s.loc.line, col: s.loc.col };
    if (twin.kind === 'extended' && s.peer === '') {
      diagnostics.push({
        ...where,
        message: `extended 3PCC (-${twin.role}): <${s.kind === StepKind.SendCmd ? 'sendCmd' : 'recvCmd'}> needs ${attr}="…"`,
        hint: `name the instance from -slave_cfg, e.g. ${attr}="${s.kind === StepKind.SendCmd ? 's1' : 'm'}"`,
      });
    } else if (twin.kind === 'extended' && s.kind === StepKind.SendCmd && !twin.instances.has(s.peer)) {
      diagnostics.push({
        ...where,
        message: `dest="${s.peer}" is not in -slave_cfg ${twin.cfgFile}`,
        hint: `add a line "${s.peer};ip:port" to it, or use one of: ${[...twin.instances.keys()].join(', ')}`,
      });
    } else if (twin.kind === 'classic' && s.kind === StepKind.SendCmd && s.peer !== '') {
      diagnostics.push({
        ...where,
        message: `dest="${s.peer}" needs extended 3PCC (-master/-slave with -slave_cfg); -3pcc has one twin`,
        hint: 'remove dest=, or run with -master NAME -slave_cfg FILE',
      });
    }
  }
  if (diagnostics.length > 0) throw new DiagnosticsError('TWIN_SCENARIO', diagnostics);
  if (twin.kind === 'classic') return { kind: first === 'send' ? 'connect' : 'listen', twin: twin.address };
  // SIPp compat: the master's first twin command is a <sendCmd>, a slave's a <recvCmd>.
  const wanted = first === 'send' ? 'master' : 'slave';
  if (twin.role !== wanted) {
    throw new SiptsError(
      'TWIN_ROLE',
      `scenario "${scenario.name}" starts its twin exchange with <${first}Cmd>, which is a ${wanted}'s, but -${twin.role} was given`,
      `run it with -${wanted} NAME (a master sends the first command, a slave receives it)`,
    );
  }
  const self = twin.instances.get(twin.name);
  if (self === undefined)
    throw new SiptsError('TWIN_NAME', `-${twin.role} ${twin.name}: not in -slave_cfg ${twin.cfgFile}`, `add a line "${twin.name};ip:port"`);
  const peers = new Map(
    scenario.twin.dests.flatMap((d) => {
      const at = twin.instances.get(d);
      return at === undefined ? [] : [[d, at] as const];
    }),
  );
  return { kind: 'extended', self, peers, connectAtStart: twin.role === 'master' };
}
