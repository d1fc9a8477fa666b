// Child processes the harness owns (Xvfb, WebDriver servers): started with a deadline, stopped by
// waiting for their exit so none is left behind as a zombie.
import { spawn, type ChildProcess } from 'node:child_process';
import { lstatSync, mkdirSync, mkdtempSync, statSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';

/**
 * The environment for a browser (or WebDriver server) the harness starts. A container job on GitHub
 * Actions runs as root with HOME=/github/home, which belongs to the runner's uid 1001: Firefox then
 * refuses to start ("Running Firefox as root in a regular user's session is not supported"), and
 * Chromium and WebKitGTK write root-owned files (~/.config/chromium, ~/.cache/gstreamer-1.0, dconf)
 * into that user's home. So when the harness runs as root and HOME belongs to another uid, browsers
 * get a HOME of root's own (root's home from the password database, else a private folder). `home`
 * says what was changed, for error messages; otherwise the environment is the given one.
 */
export function browserEnvironment(base: NodeJS.ProcessEnv = process.env): {
  env: Record<string, string>;
  home: string | null;
} {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(base)) if (value !== undefined) env[key] = value;
  const home = env['HOME'];
  if (process.getuid?.() !== 0 || !home) return { env, home: null };
  let owner: number;
  try {
    owner = statSync(home).uid;
  } catch {
    return { env, home: null }; // no such folder: nothing for a browser to object to
  }
  if (owner === 0) return { env, home: null };
  env['HOME'] = rootOwnedHome();
  return { env, home: `HOME=${home} belongs to uid ${owner}, so the browser runs with HOME=${env['HOME']}` };
}

const ownedByRoot = (dir: string) => {
  try {
    const st = lstatSync(dir);
    return st.isDirectory() && st.uid === 0;
  } catch {
    return false;
  }
};

function rootOwnedHome(): string {
  let passwdHome = '';
  try {
    passwdHome = userInfo().homedir; // from the password database, not from $HOME
  } catch {
    // no passwd entry for uid 0 (unusual images): fall through to a private folder
  }
  if (passwdHome && ownedByRoot(passwdHome)) return passwdHome;
  const own = join(tmpdir(), 'eme-compat-root-home');
  mkdirSync(own, { recursive: true, mode: 0o700 });
  // A shared temp folder could hold a folder of that name from someone else: then a fresh one.
  return ownedByRoot(own) ? own : mkdtempSync(join(tmpdir(), 'eme-compat-root-home-'));
}

/** An error's whole message, without terminal colour codes (Playwright dims its call log). */
export function plainMessage(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.replace(/\u001b\[[0-9;]*m/g, '').trimEnd();
}

export async function stopProcess(child: ChildProcess, graceMs = 2000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export async function waitForPort(port: number, child: ChildProcess, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`${what} exited with code ${child.exitCode} before listening on ${port}`);
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`${what} did not listen on port ${port} within ${timeoutMs} ms`);
}

export interface VirtualDisplay {
  display: string;
  stop(): Promise<void>;
}

/** Starts a private Xvfb; it picks a free display number and reports it on fd 3. */
export function startXvfb(timeoutMs = 10_000): Promise<VirtualDisplay> {
  return new Promise((resolve, reject) => {
    let child: ChildProcess;
    try {
      child = spawn('Xvfb', ['-displayfd', '3', '-screen', '0', '1280x720x24', '-nolisten', 'tcp'], {
        stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
      });
    } catch (err) {
      reject(new Error(`cannot start Xvfb (apt-get install xvfb): ${(err as Error).message}`));
      return;
    }
    let stderr = '';
    let out = '';
    const fail = (message: string) => {
      clearTimeout(timer);
      void stopProcess(child).finally(() =>
        reject(new Error(`${message}${stderr ? `; Xvfb said: ${stderr.trim().slice(-500)}` : ''}`)),
      );
    };
    const timer = setTimeout(() => fail(`Xvfb reported no display within ${timeoutMs} ms`), timeoutMs);
    child.once('error', (err) => fail(`cannot start Xvfb (is the xvfb package installed?): ${err.message}`));
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('exit', (code) => fail(`Xvfb exited early with code ${code}`));
    const fd3 = child.stdio[3] as NodeJS.ReadableStream | null;
    fd3?.on('data', (d: Buffer) => {
      out += d.toString();
      const match = /^(\d+)\n/.exec(out);
      if (!match) return;
      clearTimeout(timer);
      child.removeAllListeners('exit');
      resolve({ display: `:${match[1]}`, stop: () => stopProcess(child) });
    });
  });
}
