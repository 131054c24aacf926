/**
 * --segment I/N (or the environment of a Kubernetes Indexed Job: JOB_COMPLETION_INDEX with SIPTS_SEGMENTS=N):
 * this process runs part I of a run split N ways, by the rules of -workers (load/share.ts). And --start-at: the
 * time every segment starts its first call, so that N processes on N machines begin together.
 */
import { WHOLE, type Share } from '../load/share.js';

export interface SegmentChoice {
  readonly segment: Share;
  readonly problems: readonly string[];
}

const WHOLE_NUMBER = /^\d+$/;

/**
 * `--segment I/N` wins over the environment; without it, JOB_COMPLETION_INDEX (Kubernetes sets it 0-based in
 * every pod of an Indexed Job) and SIPTS_SEGMENTS together, or neither.
 */
export function chooseSegment(option: string | undefined, env: Readonly<Record<string, string | undefined>>): SegmentChoice {
  if (option !== undefined) return parse(option, `--segment ${option}`);
  const index = env['JOB_COMPLETION_INDEX'];
  const of = env['SIPTS_SEGMENTS'];
  if (index === undefined && of === undefined) return { segment: WHOLE, problems: [] };
  if (of === undefined)
    return {
      segment: WHOLE,
      problems: [
        `JOB_COMPLETION_INDEX=${index ?? ''} without SIPTS_SEGMENTS: set SIPTS_SEGMENTS to the number of segments (the Job's completions), or unset JOB_COMPLETION_INDEX, or give --segment I/N`,
      ],
    };
  if (index === undefined)
    return {
      segment: WHOLE,
      problems: [
        `SIPTS_SEGMENTS=${of} without JOB_COMPLETION_INDEX: set JOB_COMPLETION_INDEX to this segment's index (0 to ${Number(of) - 1 >= 0 ? Number(of) - 1 : 'N-1'}), or give --segment I/N`,
      ],
    };
  return parse(`${index}/${of}`, `JOB_COMPLETION_INDEX=${index} SIPTS_SEGMENTS=${of}`);
}

function parse(value: string, said: string): SegmentChoice {
  const [i = '', n = '', ...rest] = value.trim().split('/');
  const fail = (why: string): SegmentChoice => ({ segment: WHOLE, problems: [`${said}: ${why}`] });
  if (rest.length > 0 || !WHOLE_NUMBER.test(i.trim()) || !WHOLE_NUMBER.test(n.trim()))
    return fail('expected I/N, two whole numbers, segment I (counted from 0) of N, e.g. --segment 0/3 … --segment 2/3');
  const index = Number(i);
  const of = Number(n);
  if (of < 1) return fail('N is the number of segments: at least 1 (0/1 is the whole run)');
  if (index >= of) return fail(`I counts from 0, as JOB_COMPLETION_INDEX does: write ${of - 1}/${of} for the last of ${of} segments`);
  return { segment: { index, of }, problems: [] };
}

/** --start-at: an ISO 8601 time (2026-01-01T12:00:00Z) or epoch milliseconds → epoch ms; undefined if neither. */
export function parseStartAt(value: string): number | undefined {
  const v = value.trim();
  if (WHOLE_NUMBER.test(v)) return Number(v);
  // Date.parse also takes RFC 2822 and other shapes: an ISO date is asked for, so only one is taken.
  if (!/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(v)) return undefined;
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : t;
}
