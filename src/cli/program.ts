/** The commander program, generated from the option table. */
import { Command, Option } from 'commander';
import { OPTIONS, type OptionSpec } from './options.js';

export function buildProgram(version: string): Command {
  const program = new Command('sipts')
    .description(
      'SIP load and scenario tester, command-line compatible with SIPp.\nOptions take one dash, as in SIPp: sipts -sn uac 127.0.0.1:5060 -r 50\nsipts merge SEGMENT.json... merges the --json files of a run split with -segment (sipts merge -h);\nsipts k8s ... renders such a run as a Kubernetes Indexed Job (sipts k8s -h).',
    )
    .usage('[remote_host[:port]] [options]')
    .argument('[remote_host[:port]...]', 'where calls go (client scenarios); default port 5060')
    .helpOption('--help', 'Show this help (also -h).')
    .version(version, '--version', 'Print the version.')
    .exitOverride()
    .allowExcessArguments(true);
  for (const o of OPTIONS as readonly OptionSpec[]) {
    const flags = o.kind === 'flag' ? `--${o.name}` : `--${o.name} <${o.arg ?? 'value'}>`;
    const def =
      o.default !== undefined && o.refused === undefined ? ` (default: ${o.default}${o.kind === 'time' ? ` ${o.unit ?? ''}` : ''})` : '';
    // A refused option is listed apart, with its reason; an ignored one says why it changes nothing.
    const why = o.refused !== undefined ? ` Refused: ${o.refused}.` : o.ignored !== undefined ? ` Accepted and ignored: ${o.ignored}.` : '';
    const option = new Option(flags, `${o.help}${def}${why}`).helpGroup(
      o.refused !== undefined ? 'SIPp options sipts refuses:' : `${o.group}:`,
    );
    if (o.kind === 'pair' || o.kind === 'list') option.argParser((v: string, prev: string[] | undefined) => [...(prev ?? []), v]);
    program.addOption(option);
  }
  // Help shows SIPp's one-dash spelling, which is what users type.
  program.configureHelp({ optionTerm: (opt) => opt.flags.replace(/^--(?!help|version)/, '-') });
  return program;
}
