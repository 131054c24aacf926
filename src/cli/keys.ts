/**
 * SIPp's run-time commands, from the keyboard or the -cp control port: 1-9 choose the screen, + and -
 * change the rate (in a -users run, the users) by 1, * and / by 10, each times the rate scale (-rate_scale,
 * `set rate-scale`); p pauses and
 * resumes new calls, s dumps the screens (with -trace_screen), q stops gracefully, Q stops now. The control
 * port also takes SIPp's commands (commands.ts).
 */
import type { RunControl } from '../engine/run-control.js';

export interface KeyTarget {
  readonly engine: RunControl;
  selectScreen(n: number): void;
  /** q: the same as a first SIGINT (stop gracefully, say so). */
  quit(): void;
  /** s: dump the screens to the screen file; undefined without -trace_screen (SIPp: the key then does nothing). */
  readonly dumpScreens?: (() => void) | undefined;
  /** What the commands change that is not the engine's. */
  readonly state: ControlState;
  /** `trace error|logs|messages on|off`: turns a trace file on or off; false when that trace cannot be. */
  readonly setTrace?: ((name: 'error' | 'logs' | 'messages' | 'shortmessages', on: boolean) => boolean) | undefined;
  /** `set display main|ooc|rx`: which scenario the screens show; false when the run has no such scenario. */
  readonly setDisplay?: ((which: string) => boolean) | undefined;
  /** The main scenario's variable names by SIPp's levels (0 <Global>, 1 <User>, 2 the call's), for `dump variables`. */
  readonly variableNames: readonly [readonly string[], readonly string[], readonly string[]];
}

export interface ControlState {
  /** SIPp's rate_scale (`set rate-scale N`): what + - * / multiply their 1 and 10 by. */
  rateScale: number;
}

export function applyKey(t: KeyTarget, key: string): void {
  switch (key) {
    case '+':
      step(t, 1);
      break;
    case '-':
      step(t, -1);
      break;
    case '*':
      step(t, 10);
      break;
    case '/':
      step(t, -10);
      break;
    case 'p':
      if (t.engine.status().paused) t.engine.resume();
      else t.engine.pause();
      break;
    case 's':
      t.dumpScreens?.();
      break;
    case 'q':
      t.quit();
      break;
    case 'Q':
      t.engine.stopNow();
      break;
    default:
      if (key >= '1' && key <= '9') t.selectScreen(Number(key));
      break;
  }
}

/** SIPp compat: in a -users run the keys change the users, else the rate; by `by` times the rate scale. */
function step(t: KeyTarget, by: number): void {
  const s = t.engine.status();
  const delta = by * t.state.rateScale;
  if (s.userMode) t.engine.setUsers(Math.trunc(s.users + delta));
  else t.engine.setRate(Math.max(0, s.rate + delta));
}
