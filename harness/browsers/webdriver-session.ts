// Browsers through W3C WebDriver classic: WebKitGTK's MiniBrowser via a local WebKitWebDriver (under a
// private Xvfb when there is no display), Chromium via chromedriver, or any remote endpoint.
import { spawn, type ChildProcess } from 'node:child_process';
import WebDriver, { type Client } from 'webdriver';
import {
  browserEnvironment,
  freePort,
  plainMessage,
  startXvfb,
  stopProcess,
  waitForPort,
  type VirtualDisplay,
} from './processes.ts';
import type { BrowserProfile } from './profiles.ts';
import { runnerUrl, type BrowserSession, type OpenPage } from './session.ts';

const SESSION_TIMEOUT_MS = 20_000;

export async function startWebDriverBrowser(profile: BrowserProfile): Promise<BrowserSession> {
  const wd = profile.webdriver;
  if (!wd || (!wd.driverBinary && !wd.url))
    throw new Error(`profile ${profile.project}: a webdriver profile needs webdriver.driverBinary or webdriver.url`);
  let display: VirtualDisplay | undefined;
  let driver: ChildProcess | undefined;
  // What the local driver (and the browser it starts, which shares its stderr) said, for errors.
  let driverError = '';
  let homeNote: string | null = null;
  const cleanup = async () => {
    if (driver) await stopProcess(driver);
    if (display) await display.stop();
  };
  try {
    let endpoint: { protocol: string; hostname: string; port: number; path: string };
    if (wd.url) {
      const url = new URL(wd.url);
      endpoint = {
        protocol: url.protocol.replace(':', ''),
        hostname: url.hostname,
        port: Number(url.port || (url.protocol === 'https:' ? 443 : 80)),
        path: url.pathname,
      };
    } else {
      // Root with a HOME of another uid (GitHub container jobs): the driver, and so MiniBrowser, get a
      // HOME of root's own.
      const environment = browserEnvironment();
      const env = environment.env;
      homeNote = environment.home;
      if (wd.needsDisplay && !env['DISPLAY']) {
        display = await startXvfb();
        env['DISPLAY'] = display.display;
      }
      const port = await freePort();
      const binary = wd.driverBinary!;
      driver = spawn(binary, [`--port=${port}`], { env, stdio: ['ignore', 'ignore', 'pipe'] });
      driver.stderr?.on('data', (d: Buffer) => (driverError = (driverError + d.toString()).slice(-4000)));
      const spawnFailed = new Promise<never>((_, reject) =>
        driver!.once('error', (e) =>
          reject(
            new Error(
              `cannot start ${binary} (apt-get install ${profile.engine === 'chromium' ? 'chromium-driver' : 'webkit2gtk-driver'}): ${e.message}`,
            ),
          ),
        ),
      );
      await Promise.race([waitForPort(port, driver, 10_000, binary), spawnFailed]);
      endpoint = { protocol: 'http', hostname: '127.0.0.1', port, path: '/' };
    }
    const capabilities: Record<string, unknown> = {
      // WebKitWebDriver speaks classic WebDriver only; without this the client asks for BiDi and
      // session creation fails with "Failed to match capabilities".
      'wdio:enforceWebDriverClassic': true,
      acceptInsecureCerts: true,
    };
    if (profile.engine === 'webkit' && wd.browserBinary) {
      capabilities['webkitgtk:browserOptions'] = { binary: wd.browserBinary, args: wd.browserArgs };
    }
    if (profile.engine === 'chromium' && (wd.browserBinary || wd.browserArgs.length)) {
      // chromedriver: the binary and its flags (it adds its own automation flags, as Playwright does).
      capabilities['goog:chromeOptions'] = {
        ...(wd.browserBinary ? { binary: wd.browserBinary } : {}),
        args: wd.browserArgs,
      };
    }
    const client: Client = await WebDriver.newSession({
      ...endpoint,
      capabilities,
      logLevel: 'warn',
      connectionRetryTimeout: SESSION_TIMEOUT_MS,
      connectionRetryCount: 0,
    });
    const caps = client.capabilities as Record<string, unknown>;
    // The session's first window stays open, so closing a run's window never ends the session.
    const home = await client.getWindowHandle();
    return {
      identity: {
        project: profile.project,
        label: profile.label,
        engine: profile.engine,
        name: String(caps['browserName'] ?? 'unknown'),
        version: String(caps['browserVersion'] ?? 'unknown'),
        channel: profile.channel ?? null,
        driver: 'webdriver',
        executablePath: wd.browserBinary ?? null,
        args: wd.browserArgs,
        prefs: profile.prefs,
        source: profile.source ?? null,
      },
      async startRun(baseURL: string, runId: string): Promise<OpenPage> {
        // With isolation 'window', each run gets a window of its own, closed afterwards (see the
        // profile's `isolation`). Readying the next window while a run is on was tried: WebDriver runs
        // one command at a time, so with short runs it only moved the wait.
        const ownWindow = wd.isolation === 'window';
        if (ownWindow) {
          const { handle } = await client.createWindow('window');
          await client.switchToWindow(handle);
        }
        const url = runnerUrl(baseURL, runId);
        await client.navigateTo(url);
        // A refused navigation (e.g. an untrusted certificate) leaves WebKit on about:blank silently.
        const landed = await client.getUrl();
        if (!landed.startsWith(url.split('?')[0]!)) throw new Error(`navigation to ${url} ended at ${landed}`);
        return {
          // Classic WebDriver has no crash event; a dead page shows up as a timeout.
          lost: new Promise<string>(() => {}),
          screenshot: async () => Buffer.from(await client.takeScreenshot(), 'base64'),
          screenshotElement: async (selector) => {
            const element = await client.findElement('css selector', selector);
            const id = (element as Record<string, string>)['element-6066-11e4-a52e-4f735466cecf'];
            if (!id) throw new Error(`no element matches ${selector}`);
            return Buffer.from(await client.takeElementScreenshot(id), 'base64');
          },
          close: async () => {
            if (ownWindow) {
              await client.closeWindow();
              await client.switchToWindow(home);
            } else {
              await client.navigateTo('about:blank');
            }
          },
        };
      },
      async close() {
        try {
          await client.deleteSession();
        } finally {
          await cleanup();
        }
      },
    };
  } catch (err) {
    await cleanup();
    // A process's exit can come before the last of its stderr has been read.
    const stderr = driver?.stderr;
    if (stderr && !stderr.closed)
      await new Promise((r) => {
        stderr.once('close', r);
        setTimeout(r, 1000).unref();
      });
    const said = driverError.trim() ? `\n${wd.driverBinary} said:\n${plainMessage(driverError)}` : '';
    throw new Error(`cannot start ${profile.label}: ${plainMessage(err)}${said}${homeNote ? `\n(${homeNote})` : ''}`);
  }
}
