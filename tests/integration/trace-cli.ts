// `eme-compat trace` as a user runs it, for the trace tests: the CLI in a child process, its exit code
// and everything it said; and a check that steps come in an order, others between them allowed.
import { spawn } from 'node:child_process';

export function traceCli(args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['bin/eme-compat.js', 'trace', ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) => resolve({ code, out }));
  });
}

/** null when `want` occurs in `steps` in this order (other steps may come between); else what is missing. */
export function inOrder(steps: string[], want: RegExp[]): string | null {
  let i = 0;
  for (const re of want) {
    while (i < steps.length && !re.test(steps[i]!)) i++;
    if (i === steps.length) return `no ${re} after the steps before it in:\n${steps.join('\n')}`;
    i++;
  }
  return null;
}
