// A player page on another origin plays encrypted media from the harness server in real Chromium and
// Firefox when the server is started with --cors-origin <that origin>, and fails with a CORS error
// without it (run under the browser lock). The server is the real entry (server/main.ts); the page
// (pages/cors-fixtures/player.html) is served by a tiny node:http server of this test at
// http://localhost:<port>, a different origin (and site) from the harness's http://127.0.0.1:<port>.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, firefox, type Browser, type LaunchOptions } from '@playwright/test';
import { loadProfiles, type BrowserProfile } from '../../harness/browsers/profiles.ts';
import { browserEnvironment, stopProcess } from '../../harness/browsers/processes.ts';
import type { RunRecord } from '../../model/record.ts';

/** What the page's own server serves: the page, and the player module it imports. */
const FILES: Record<string, { body: Buffer; type: string }> = {
  '/player.html': { body: readFileSync('pages/cors-fixtures/player.html'), type: 'text/html; charset=utf-8' },
  '/clearkey-player.js': { body: readFileSync('pages/fixtures/clearkey-player.js'), type: 'text/javascript' },
};

/** The player page's own server: the page and its module, on a port of its own. */
async function startPageServer(): Promise<{ port: number; server: Server }> {
  const server = createServer((req, res) => {
    const file = FILES[new URL(req.url ?? '/', 'http://x').pathname];
    if (file) {
      res.writeHead(200, { 'content-type': file.type, 'content-length': file.body.length });
      res.end(file.body);
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address();
  return { port: typeof address === 'object' && address ? address.port : 0, server };
}

interface HarnessProcess {
  base: string;
  child: ChildProcess;
  /** What it said at start (the CORS origins it took are in the line). */
  said: string;
}

async function startHarness(extra: string[]): Promise<HarnessProcess> {
  const runs = await mkdtemp(join(tmpdir(), 'eme-cors-browsers-'));
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'server/main.ts', '--port', '0', '--no-https', '--runs-dir', runs, ...extra],
    { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, EME_CORS_ORIGINS: '' } },
  );
  const said = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('listening')) resolve(out);
    });
    child.on('exit', (code) => reject(new Error(`server exited ${code}: ${out}`)));
  });
  return { base: /http:\/\/127\.0\.0\.1:\d+/.exec(said)![0], child, said };
}

async function newRun(base: string): Promise<string> {
  const res = await fetch(`${base}/api/runs`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ scenario: 'lifecycle.temporary.keyids', project: 'cors' }),
  });
  assert.equal(res.status, 201);
  return ((await res.json()) as { id: string }).id;
}

function launchOptions(profile: BrowserProfile): LaunchOptions {
  const { env, home } = browserEnvironment();
  return {
    ...(profile.channel ? { channel: profile.channel } : {}),
    ...(profile.executablePath ? { executablePath: profile.executablePath } : {}),
    args: profile.args,
    ...(profile.engine === 'firefox' ? { firefoxUserPrefs: profile.prefs } : {}),
    ...(home ? { env } : {}),
  };
}

interface Outcome {
  state: string;
  /** The page's console and failed requests, where browsers name CORS. */
  said: string[];
}

/** Opens the player page at `pageOrigin`, pointed at the harness `base`, until it played or failed. */
async function openPlayer(browser: Browser, pageOrigin: string, base: string, run: string): Promise<Outcome> {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    const said: string[] = [];
    page.on('console', (m) => said.push(m.text()));
    page.on('requestfailed', (r) => said.push(`${r.url()} failed: ${r.failure()?.errorText}`));
    await page.goto(`${pageOrigin}/player.html?server=${encodeURIComponent(base)}&run=${run}`);
    const state = await page
      .waitForFunction(() => document.body.dataset['state'], undefined, { timeout: 20_000 })
      .then((h) => h.jsonValue() as Promise<string>);
    return { state, said };
  } finally {
    await context.close();
  }
}

const profiles = loadProfiles('debian').filter((p) => p.project === 'chromium' || p.project === 'firefox');
const TYPES = { chromium, firefox } as const;

let pages: { port: number; server: Server };
let open: HarnessProcess;
let closed: HarnessProcess;
let allowed = '';

before(async () => {
  pages = await startPageServer();
  allowed = `http://localhost:${pages.port}`;
  [open, closed] = await Promise.all([startHarness(['--cors-origin', allowed]), startHarness([])]);
});
after(async () => {
  await Promise.all([stopProcess(open.child), stopProcess(closed.child)]);
  pages.server.closeAllConnections();
  await new Promise<void>((r) => pages.server.close(() => r()));
});

test('the server says which origins it shares with, and none by default', () => {
  assert.match(open.said, new RegExp(`CORS for ${allowed}\\)`));
  assert.doesNotMatch(closed.said, /CORS/);
});

for (const profile of profiles) {
  describe(profile.label, () => {
    let browser: Browser;
    before(async () => {
      browser = await TYPES[profile.engine as 'chromium' | 'firefox'].launch(launchOptions(profile));
    });
    after(() => browser.close());

    test('with --cors-origin <page origin>, the page plays past 1 s and its licenses are recorded', async () => {
      const run = await newRun(open.base);
      const outcome = await openPlayer(browser, allowed, open.base, run);
      assert.equal(outcome.state, 'played', outcome.said.join('\n'));
      const record = (await (await fetch(`${open.base}/api/runs/${run}/record`)).json()) as RunRecord;
      assert.ok(record.exchanges.length >= 1, 'the license requests reached the run');
      for (const x of record.exchanges) {
        assert.equal(x.messageType, 'license-request');
        assert.equal(x.request.contentType, 'application/octet-stream');
        assert.equal(x.response.status, 200);
        assert.equal(x.response.delivery, 'answered');
        assert.ok(((x.response.body as { keys?: unknown[] }).keys ?? []).length >= 1, 'keys answered');
      }
    });

    test('the same page on an origin not named is blocked by the browser', async () => {
      const run = await newRun(open.base);
      const other = `http://127.0.0.1:${pages.port}`; // same page server, another origin
      const outcome = await openPlayer(browser, other, open.base, run);
      assert.match(outcome.state, /^failed: manifest: blocked by CORS: TypeError/, outcome.said.join('\n'));
    });

    test('without --cors-origin the same page fails with a CORS error', async () => {
      const run = await newRun(closed.base);
      const outcome = await openPlayer(browser, allowed, closed.base, run);
      assert.match(outcome.state, /^failed: manifest: blocked by CORS: TypeError/, outcome.said.join('\n'));
      const record = (await (await fetch(`${closed.base}/api/runs/${run}/record`)).json()) as RunRecord;
      assert.equal(record.exchanges.length, 0, 'no license request got through');
    });
  });
}
