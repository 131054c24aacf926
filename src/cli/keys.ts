/**
 * SIPp's run-time commands, from the keyboard or the -cp control port: 1-9 choose the screen, + and -
 * change the rate by -rate_scale (1), * and / by 10 times that, p pauses and resumes new calls, q stops gracefully, Q stops now.
 */
import type { Engine } from '../engine/engine.js';

export interface KeyTarget {
  readonly engine: Engine;
  /** -rate_scale */
  readonly rateScale: number;
  selectScreen(n: number): void;
  /** q: the same as a first SIGINT (stop gracefully, say so). */
  quit(): void;
}

export function applyKey(t: KeyTarget, key: string): void {
  const engine = t.engine;
  const rate = engine.scheduler.currentRate;
  const step = t.rateScale;
  switch (key) {
    case '+': engine.setRate(rate + step); break;
    case '-': engine.setRate(Math.max(0, rate - step)); break;
    case '*': engine.setRate(rate + 10 * step); break;
    case '/': engine.setRate(Math.max(0, rate - 10 * step)); break;
    case 'p': if (engine.scheduler.isPaused) engine.resume(); else engine.pause(); break;
    case 'q': t.quit(); break;
    case 'Q': engine.stopNow(); break;
    default:
      if (key >= '1' && key <= '9') t.selectScreen(Number(key));
      break;
  }
}

/**
 * A control-port datagram: `cset rate N` (SIPp's command form) or keys, one per character.
 * Returns an error text for a command it does not know.
 */
export function applyCommand(t: KeyTarget, text: string): string | undefined {
  const line = text.trim();
  if (line.startsWith('c')) {
    const m = /^cset\s+rate\s+(\d+(?:\.\d+)?)$/.exec(line);
    if (m !== null) { t.engine.setRate(Number(m[1])); return undefined; }
    if (/^cquit$/.test(line)) { t.quit(); return undefined; }
    return `unknown control command "${line}" (known: cset rate N, cquit, or keys + - * / p q Q 1-9)`;
  }
  for (const key of line) applyKey(t, key);
  return undefined;
}
