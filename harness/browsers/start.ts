// Starts the browser a profile names, with the driver that profile asks for. The drivers implement the
// session contract (session.ts) and are loaded only when used, so a Playwright-only run never loads WebDriver.
import type { BrowserProfile } from './profiles.ts';
import type { BrowserSession } from './session.ts';

export async function startBrowser(profile: BrowserProfile): Promise<BrowserSession> {
  if (profile.driver === 'webdriver') {
    const { startWebDriverBrowser } = await import('./webdriver-session.ts');
    return startWebDriverBrowser(profile);
  }
  const { startPlaywrightBrowser } = await import('./playwright-session.ts');
  return startPlaywrightBrowser(profile);
}
