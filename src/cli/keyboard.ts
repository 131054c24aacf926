/** Keys on a TTY (see keys.ts). Ctrl-C keeps working as a signal would. */
import { applyKey, type KeyTarget } from './keys.js';

/** Starts reading keys when stdin is a TTY; returns a function that stops. */
export function startKeyboard(target: KeyTarget, onInterrupt: () => void): () => void {
  const stdin = process.stdin;
  if (!stdin.isTTY) return () => undefined;
  stdin.setRawMode(true);
  stdin.resume();
  const onData = (data: Buffer): void => {
    for (const key of data.toString('latin1')) {
      if (key === '\x03') onInterrupt();
      else applyKey(target, key);
    }
  };
  stdin.on('data', onData);
  return () => {
    stdin.off('data', onData);
    stdin.setRawMode(false);
    stdin.pause();
  };
}
