/** Time formats SIPp users read in logs, keywords and stat files. */

const p = (n: number, w = 2): string => String(Math.floor(n)).padStart(w, '0');

/** SIPp's log time: `YYYY-MM-DD<TAB>HH:MM:SS.uuuuuu<TAB>epoch.uuuuuu`, local time. */
export function sippTime(epochMs: number): string {
  const d = new Date(epochMs);
  const us = p(Math.round((epochMs % 1000) * 1000), 6);
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}\t${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${us}\t${Math.floor(epochMs / 1000)}.${us}`;
}

/** HH:MM:SS, as SIPp prints elapsed time. */
export function hms(ms: number): string {
  const s = Math.floor(ms / 1000);
  return `${p(s / 3600)}:${p((s / 60) % 60)}:${p(s % 60)}`;
}

/** HH:MM:SS:uuuuuu, as SIPp prints response times and call lengths. */
export function hmsUs(ms: number): string {
  return `${hms(ms)}:${p(Math.round((ms % 1000) * 1000), 6)}`;
}

/** SIPp's message-trace time: `YYYY-MM-DD HH:MM:SS.uuuuuu`, local time. */
export function sippDate(epochMs: number): string {
  return sippTime(epochMs).split('\t').slice(0, 2).join(' ');
}
