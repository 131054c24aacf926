/** How the saturation watch's findings read: the live alert, the progress line's note and the summary's lines. */
import type { SaturationKind, SaturationReport } from '../stats/saturation.js';

const secs = (ms: number | undefined): string => `${((ms ?? 0) / 1000).toFixed(1)} s`;

/** What one signal says, with its worst value so far. */
export function saturationCause(r: SaturationReport, kind: SaturationKind): string {
  const s = r.signals[kind];
  switch (kind) {
    case 'event-loop-delay':
      return `sipts's event loop ${Math.round(s.peak)} ms late (p99)`;
    case 'behind-schedule':
      return `sipts ${Math.round(s.peak)} ms behind the call rate's schedule`;
    case 'receive-drops':
      return r.receiveDrops.scope === 'system'
        ? `${r.receiveDrops.count} datagrams dropped by the kernel, receive buffers full (system-wide count: may include other programs')`
        : `${r.receiveDrops.count} datagrams dropped by the kernel on sipts's sockets, receive buffer full`;
    case 'cpu':
      return `sipts's thread at ${Math.round(s.peak)}% of its core`;
  }
}

/** A late loop with a thread that never had most of a core: the machine, not sipts's work, held it back. */
const STARVED_BELOW_PERCENT = 80;

/** Why a late loop may not be sipts's own work; empty when it is, or when the loop was not late. */
export function starvedNote(r: SaturationReport): string {
  const late = r.signals['event-loop-delay'].crossed || r.signals['behind-schedule'].crossed;
  const cpu = r.signals.cpu;
  if (!late || cpu.crossed || cpu.peak === 0 || cpu.peak >= STARVED_BELOW_PERCENT) return '';
  return ` (its thread had at most ${Math.round(cpu.peak)}% of a core: other programs on this machine may be taking the CPU)`;
}

/** One line for the live screen and the log: undefined while nothing crossed. */
export function saturationAlert(r: SaturationReport): string | undefined {
  if (!r.saturated) return undefined;
  return `SATURATED: ${r.what.map((k) => saturationCause(r, k)).join('; ')} since ${secs(r.sinceMs)}: figures measure sipts, not the server; try -workers`;
}

/** The end-of-run summary's lines. */
export function formatSaturation(r: SaturationReport): string {
  if (!r.saturated) return 'Saturation: none (sipts kept up: event loop, call schedule, receive buffers and CPU within their limits)';
  const lines = [
    `SATURATED from ${secs(r.sinceMs)} on: from then on the figures measure sipts, not the server; try -workers (more threads) or a lighter load per sipts${starvedNote(r)}`,
  ];
  for (const k of r.what)
    lines.push(
      `  ${k}: ${saturationCause(r, k)}, since ${secs(r.signals[k].sinceMs)} (limit ${r.signals[k].limit}${k === 'cpu' ? '%' : k === 'receive-drops' ? '' : ' ms'})`,
    );
  return lines.join('\n');
}

/** The --json report's one sentence on what the figures are worth. */
export function saturationMeaning(r: SaturationReport): string {
  return r.saturated
    ? `from ${secs(r.sinceMs)} on, the figures measure sipts, not the server: ${r.what.map((k) => saturationCause(r, k)).join('; ')}${starvedNote(r)}; try -workers`
    : 'sipts kept up: the figures measure the server';
}
