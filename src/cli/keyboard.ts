/**
 * SIPp's keys on a TTY: + and - change the rate by 1, * and / by 10, p pauses and resumes new calls,
 * q stops gracefully, Q stops now. Ctrl-C keeps working as a signal would.
 */
import type { Engine } from '../engine/engine.js';

/** Starts reading keys when stdin is a TTY; returns a function that stops. */
export function startKeyboard(engine: Engine, onInterrupt: () => void): () => void {
  const stdin = process.stdin;
  if (!stdin.isTTY) return () => undefined;
  stdin.setRawMode(true);
  stdin.resume();
  const onData = (data: Buffer): void => {
    for (const key of data.toString('latin1')) {
      const rate = engine.scheduler.currentRate;
      switch (key) {
        case '+': engine.setRate(rate + 1); break;
        case '-': engine.setRate(Math.max(0, rate - 1)); break;
        case '*': engine.setRate(rate + 10); break;
        case '/': engine.setRate(Math.max(0, rate - 10)); break;
        case 'p': if (engine.scheduler.isPaused) engine.resume(); else engine.pause(); break;
        case 'q': engine.stopGracefully(); break;
        case 'Q': engine.stopNow(); break;
        case '\x03': onInterrupt(); break;
        default: break;
      }
    }
  };
  stdin.on('data', onData);
  return () => {
    stdin.off('data', onData);
    stdin.setRawMode(false);
    stdin.pause();
  };
}
