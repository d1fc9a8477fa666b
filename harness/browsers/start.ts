// Starts the browser a profile names, with the driver that profile asks for. The drivers implement the
// session contract (session.ts) and are loaded only when used, so a Playwright-only run never loads
// WebDriver or puppeteer. The build is named exactly before it starts (profile.source, else the Debian
// package its binary belongs to), so every report says which build it was.
import { packageSourceOf } from '../builds/cache.ts';
import type { BrowserProfile } from './profiles.ts';
import type { BrowserSession } from './session.ts';

/** The exact build a profile starts, as far as this machine can tell; undefined when it cannot. */
export function profileSource(profile: BrowserProfile): string | undefined {
  if (profile.source) return profile.source;
  if (profile.connect) return `remote:${profile.connect.wsEndpoint}`;
  if (profile.webdriver?.url) return `remote:${profile.webdriver.url}`;
  const binary = profile.driver === 'webdriver' ? profile.webdriver?.browserBinary : profile.executablePath;
  if (binary) return packageSourceOf(binary) ?? `file:${binary}`;
  if (profile.channel) return `channel:${profile.channel}`;
  return `playwright:${profile.engine}`; // Playwright's own downloaded build
}

export async function startBrowser(given: BrowserProfile): Promise<BrowserSession> {
  const source = profileSource(given);
  const profile = source ? { ...given, source } : given;
  if (profile.driver === 'webdriver') {
    const { startWebDriverBrowser } = await import('./webdriver-session.ts');
    return startWebDriverBrowser(profile);
  }
  if (profile.driver === 'puppeteer') {
    const { startPuppeteerBrowser } = await import('./puppeteer-session.ts');
    return startPuppeteerBrowser(profile);
  }
  const { startPlaywrightBrowser } = await import('./playwright-session.ts');
  return startPlaywrightBrowser(profile);
}
