// Before any test: is every chosen browser there? A missing one would otherwise cost a launch timeout
// and one identical launch error per test. Answers one line per missing piece, with the command that
// installs it.
import { existsSync } from 'node:fs';
import { chromium, firefox, webkit } from '@playwright/test';
import type { BrowserProfile } from './profiles.ts';

export interface MissingBrowser {
  project: string;
  missing: string;
  install: string;
}

const DEBIAN_INSTALL = 'bash scripts/setup.sh';

export function findMissingBrowsers(
  profiles: BrowserProfile[],
  env: NodeJS.ProcessEnv = process.env,
): MissingBrowser[] {
  const missing: MissingBrowser[] = [];
  for (const p of profiles) {
    if (p.connect || p.webdriver?.url) continue; // remote: the endpoint answers for itself
    if (p.driver === 'webdriver') {
      const w = p.webdriver;
      for (const binary of [w?.driverBinary, w?.browserBinary]) {
        if (binary && !existsSync(binary))
          missing.push({ project: p.project, missing: binary, install: DEBIAN_INSTALL });
      }
      if (w?.needsDisplay && !env['DISPLAY'] && !existsSync('/usr/bin/Xvfb'))
        missing.push({ project: p.project, missing: '/usr/bin/Xvfb (no DISPLAY)', install: DEBIAN_INSTALL });
      continue;
    }
    if (p.executablePath) {
      if (!existsSync(p.executablePath))
        missing.push({ project: p.project, missing: p.executablePath, install: DEBIAN_INSTALL });
      continue;
    }
    if (p.channel) continue; // branded channels: Playwright finds the installed browser and says so itself
    const bundled = { chromium, firefox, webkit }[p.engine].executablePath();
    if (!existsSync(bundled))
      missing.push({
        project: p.project,
        missing: bundled,
        install: 'bash scripts/setup.sh --bundled (needs internet)',
      });
  }
  return missing;
}

/** One line for people: "browsers missing: firefox (/usr/bin/firefox-esr) — install with: bash scripts/setup.sh". */
export function describeMissing(missing: MissingBrowser[]): string {
  const installs = [...new Set(missing.map((m) => m.install))];
  return `browsers missing: ${missing.map((m) => `${m.project} (${m.missing})`).join(', ')} — install with: ${installs.join(' / ')}`;
}
