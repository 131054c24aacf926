import { execFileSync, spawnSync } from 'node:child_process';

/**
 * Python's audioop (CPython's G.711 codec, from the Sun reference implementation) and wave modules: an oracle
 * independent of sipts. audioop was removed in Python 3.13, hence the check.
 */
export const noAudioop: string | false =
  spawnSync('python3', ['-W', 'ignore', '-c', 'import audioop, wave'], { stdio: 'ignore' }).status === 0
    ? false
    : 'python3 with the audioop module (removed in Python 3.13) is not available';

/** Runs a Python 3 script with `input` on stdin and returns its stdout. */
export function python(script: string, input: Uint8Array = new Uint8Array()): Buffer {
  return execFileSync('python3', ['-W', 'ignore', '-c', script], { input, maxBuffer: 64 * 1024 * 1024, stdio: ['pipe', 'pipe', 'ignore'] });
}
