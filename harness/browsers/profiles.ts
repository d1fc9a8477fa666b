// Browser profiles: which browsers a run uses and how each is started. This is the one place that
// knows about browser binaries; choose a set with EME_BROWSERS (a set name or a JSON file of
// profiles), never by editing tests.
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { readConfig } from '../config.ts';
import { installedBuild, type Build } from '../builds/cache.ts';
import { BUILD_SETS, buildName, namesBuilds, parseSelection } from '../builds/spec.ts';

export const Engine = z.enum(['chromium', 'firefox', 'webkit']);
export type Engine = z.infer<typeof Engine>;

export const BrowserProfile = z.object({
  /** The Playwright project name; expectations and reports key on it (versioned builds: `chromium@119`). */
  project: z.string().regex(/^[\w.+@-]+$/),
  label: z.string(),
  engine: Engine,
  /**
   * playwright: Playwright launches it; webdriver: a W3C WebDriver server drives it; puppeteer:
   * puppeteer-core over WebDriver BiDi (Firefox builds Playwright 1.64.1 cannot drive, e.g. ESR 140).
   */
  driver: z.enum(['playwright', 'webdriver', 'puppeteer']).default('playwright'),
  /** The exact build (npm:…@version, debian:package=version), reported with every result; else looked up. */
  source: z.string().optional(),
  /** Playwright channel (e.g. moz-firefox, chrome, msedge). */
  channel: z.string().optional(),
  executablePath: z.string().optional(),
  /** Extra command-line flags (Chromium). */
  args: z.array(z.string()).default([]),
  /** Browser preferences (Firefox), reported with every result. */
  prefs: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).default({}),
  webdriver: z
    .object({
      /** A WebDriver server to start locally (e.g. /usr/bin/WebKitWebDriver) ... */
      driverBinary: z.string().optional(),
      /** ... or one that already runs (a Selenium Grid, a device lab). */
      url: z.string().url().optional(),
      browserBinary: z.string().optional(),
      browserArgs: z.array(z.string()).default([]),
      /** Start a private Xvfb when there is no DISPLAY (MiniBrowser has no headless mode). */
      needsDisplay: z.boolean().default(false),
      /**
       * How runs are kept apart. 'window' (safe anywhere): each run in a new window, closed after it.
       * 'navigate' (faster): one window goes from run to run, for browsers started with their
       * back/forward cache off, which would otherwise keep each finished document alive (the runner
       * page refuses to run after a kept document, so a wrong choice shows as harness errors).
       */
      isolation: z.enum(['window', 'navigate']).default('window'),
    })
    .optional(),
  /** A Playwright browser server to connect to instead of launching (`playwright run-server`, launchServer). */
  connect: z.object({ wsEndpoint: z.string().url(), headers: z.record(z.string(), z.string()).default({}) }).optional(),
  /** Limit the profile to scenarios whose title (id: title) matches this regular expression. */
  scenarios: z.string().optional(),
});
export type BrowserProfile = z.infer<typeof BrowserProfile>;
export type BrowserProfileInput = z.input<typeof BrowserProfile>;

const AUTOPLAY_CHROMIUM = '--autoplay-policy=no-user-gesture-required';
/**
 * The insecure-origin scenario loads a frame from http://eme.test:<port>: a host name that is not
 * loopback, so not a secure context, mapped to 127.0.0.1 inside the browser (no /etc/hosts edit).
 */
export const INSECURE_HOST = 'eme.test';
const HOST_MAP_CHROMIUM = `--host-resolver-rules=MAP ${INSECURE_HOST} 127.0.0.1`;
const CHROMIUM_ARGS = [AUTOPLAY_CHROMIUM, HOST_MAP_CHROMIUM];
// Stock EME prefs on purpose: forcing media.eme.enabled makes Firefox wait for a Widevine CDM
// download, which never settles offline. Only autoplay is relaxed (test media is muted anyway).
const FIREFOX_BASE_PREFS = { 'media.autoplay.default': 0, 'network.dns.localDomains': INSECURE_HOST };
export const FIREFOX_PERSISTENT_PREF = 'media.clearkey.persistent-license.enabled';

const WEBKITGTK_MINIBROWSER = '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser';

const SETS: Record<string, BrowserProfileInput[]> = {
  /** Debian's own browsers: what this project's machines and CI have. */
  debian: [
    {
      project: 'chromium',
      label: 'Debian Chromium',
      engine: 'chromium',
      executablePath: '/usr/bin/chromium',
      args: CHROMIUM_ARGS,
    },
    {
      project: 'firefox',
      label: 'Firefox ESR (WebDriver BiDi)',
      engine: 'firefox',
      channel: 'moz-firefox',
      executablePath: '/usr/bin/firefox-esr',
      prefs: FIREFOX_BASE_PREFS,
    },
    {
      project: 'webkit',
      label: 'WebKitGTK MiniBrowser (WebKitWebDriver)',
      engine: 'webkit',
      driver: 'webdriver',
      webdriver: {
        driverBinary: '/usr/bin/WebKitWebDriver',
        browserBinary: WEBKITGTK_MINIBROWSER,
        // MiniBrowser takes WebKitSettings as flags: with the page cache off, one window can go from
        // run to run (a new window per run costs ~0.4 s each).
        browserArgs: ['--automation', '--enable-page-cache=false'],
        needsDisplay: true,
        isolation: 'navigate',
      },
    },
    {
      project: 'firefox-persistent',
      label: `Firefox ESR with ${FIREFOX_PERSISTENT_PREF}`,
      engine: 'firefox',
      channel: 'moz-firefox',
      executablePath: '/usr/bin/firefox-esr',
      prefs: { ...FIREFOX_BASE_PREFS, [FIREFOX_PERSISTENT_PREF]: true },
      scenarios: 'lifecycle\\.persistent',
    },
  ],
  /**
   * Debian's Chromium through Playwright and through WebDriver classic (chromedriver from the
   * chromium-driver package): the same build, two drivers, for `eme-compat compare`.
   */
  drivers: [
    {
      project: 'chromium',
      label: 'Debian Chromium',
      engine: 'chromium',
      executablePath: '/usr/bin/chromium',
      args: CHROMIUM_ARGS,
    },
    {
      project: 'chromium-webdriver',
      label: 'Debian Chromium (chromedriver, WebDriver classic)',
      engine: 'chromium',
      driver: 'webdriver',
      args: CHROMIUM_ARGS,
      webdriver: {
        driverBinary: '/usr/bin/chromedriver',
        browserBinary: '/usr/lib/chromium/chromium',
        // Root needs --no-sandbox (Playwright adds it by itself); new headless is the full browser.
        browserArgs: ['--headless=new', '--no-sandbox', '--window-size=1280,720', ...CHROMIUM_ARGS],
      },
    },
  ],
  /** Playwright's downloaded builds (`npx playwright install --with-deps`). */
  bundled: [
    { project: 'chromium', label: 'Playwright Chromium', engine: 'chromium', args: CHROMIUM_ARGS },
    { project: 'firefox', label: 'Playwright Firefox', engine: 'firefox', prefs: FIREFOX_BASE_PREFS },
    { project: 'webkit', label: 'Playwright WebKit', engine: 'webkit' },
  ],
  /** Branded browsers installed on the machine, which carry real CDMs. */
  branded: [
    { project: 'chrome', label: 'Google Chrome', engine: 'chromium', channel: 'chrome', args: CHROMIUM_ARGS },
    { project: 'msedge', label: 'Microsoft Edge', engine: 'chromium', channel: 'msedge', args: CHROMIUM_ARGS },
  ],
};

export const BROWSER_SETS = [...Object.keys(SETS), ...Object.keys(BUILD_SETS)];

/** The profile of an installed versioned build: its project is `<family>@<major>`. */
export function buildProfile(build: Build): BrowserProfileInput {
  if (build.family === 'chromium')
    return {
      project: build.name,
      label: `Chromium ${build.version} (${build.source})`,
      engine: 'chromium',
      executablePath: build.executablePath,
      args: [...CHROMIUM_ARGS, ...build.args],
      source: build.source,
    };
  return {
    project: build.name,
    label: `Firefox ESR ${build.version} (${build.source}, ${build.driver})`,
    engine: 'firefox',
    driver: build.driver,
    ...(build.driver === 'playwright' ? { channel: 'moz-firefox' } : {}),
    executablePath: build.executablePath,
    args: build.args,
    prefs: FIREFOX_BASE_PREFS,
    source: build.source,
  };
}

/**
 * Resolves EME_BROWSERS: a set name (debian, bundled, branded; several joined by commas) or the
 * path of a JSON file holding an array of profiles.
 */
export function loadProfiles(selection = readConfig().browsers): BrowserProfile[] {
  let inputs: unknown[];
  if (selection.endsWith('.json')) {
    try {
      inputs = JSON.parse(readFileSync(selection, 'utf8')) as unknown[];
    } catch (err) {
      throw new Error(`EME_BROWSERS=${selection}: cannot read the profile file: ${(err as Error).message}`);
    }
    if (!Array.isArray(inputs))
      throw new Error(`EME_BROWSERS=${selection}: the file must hold a JSON array of profiles`);
  } else {
    let items: ReturnType<typeof parseSelection>;
    try {
      items = parseSelection(selection);
    } catch (err) {
      throw new Error(`EME_BROWSERS=${selection}: ${(err as Error).message}`);
    }
    inputs = items.flatMap((item) => {
      if (item.kind === 'build') {
        const build = installedBuild(item.spec);
        if (!build)
          throw new Error(
            `EME_BROWSERS=${selection}: ${buildName(item.spec)} is not installed; install it with: npx eme-compat browsers install ${buildName(item.spec)}`,
          );
        return [buildProfile(build)];
      }
      const set = SETS[item.name];
      if (!set)
        throw new Error(
          `EME_BROWSERS=${selection}: unknown browser set "${item.name}"; choose from ${BROWSER_SETS.join(', ')}, name builds (chromium@119), or give a .json file`,
        );
      return set;
    });
  }
  const profiles = inputs.map((input, i) => {
    const parsed = BrowserProfile.safeParse(input);
    if (!parsed.success)
      throw new Error(`EME_BROWSERS=${selection}: profile #${i} is invalid: ${z.prettifyError(parsed.error)}`);
    return parsed.data;
  });
  const names = profiles.map((p) => p.project);
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup) throw new Error(`EME_BROWSERS=${selection}: two profiles are named "${dup}"`);
  return profiles;
}

/**
 * Name of the browser set in use, for locating expectations. Versioned builds, however chosen, are the
 * `versions` set (expectations/versions/<family>@<major>.json), so one build's expectations hold in
 * every selection that includes it.
 */
export function browserSetName(selection = readConfig().browsers): string {
  if (selection.endsWith('.json')) return selection.replace(/^.*\//, '').replace(/\.json$/, '');
  if (!namesBuilds(selection)) return selection.replace(/,/g, '+');
  const sets = parseSelection(selection).flatMap((i) => (i.kind === 'set' ? [i.name] : []));
  return [...sets, 'versions'].join('+');
}
