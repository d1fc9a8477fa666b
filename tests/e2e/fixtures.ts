// Fixtures for scenario tests: one browser per worker (Playwright or WebDriver), and runScenario(),
// which registers a run, opens the runner page, reads the joined record from the server and judges it.
import { test as base, expect } from '@playwright/test';
import { Expectations } from '../../harness/expectations.ts';
import { startBrowser, type BrowserSession } from '../../harness/browsers/session.ts';
import type { BrowserProfile } from '../../harness/browsers/profiles.ts';
import type { Scenario } from '../../harness/catalog.ts';
import { RunRecord } from '../../harness/record.ts';
import { formatTimeline } from '../../report/timeline-text.ts';
import { REPORT_SCHEMA_VERSION, SCENARIO_ATTACHMENT, ScenarioAttachment, type ScenarioResult } from '../../report/schema.ts';

/** How long a page may take to report its timeline before the scenario counts as hung. */
const RECORD_WAIT_MS = 30_000;

interface WorkerFixtures {
  emeProfile: BrowserProfile;
  browserSet: string;
  expectationsDir: string;
  emeBrowser: BrowserSession;
}

interface TestFixtures {
  expectations: Expectations;
  runScenario: (scenario: Scenario) => Promise<ScenarioResult>;
}

async function api<T>(url: string, init?: RequestInit): Promise<T> {
  const response = await fetch(url, init);
  const body = (await response.json().catch(() => null)) as T & { message?: string };
  if (!response.ok) throw new Error(`${init?.method ?? 'GET'} ${url}: HTTP ${response.status} ${body?.message ?? ''}`);
  return body;
}

export const test = base.extend<TestFixtures, WorkerFixtures>({
  emeProfile: [undefined as unknown as BrowserProfile, { option: true, scope: 'worker' }],
  browserSet: ['debian', { option: true, scope: 'worker' }],
  expectationsDir: ['expectations', { option: true, scope: 'worker' }],

  emeBrowser: [
    async ({ emeProfile }, use) => {
      if (!emeProfile) throw new Error('this project has no emeProfile; projects come from harness/browsers/profiles.ts');
      const browser = await startBrowser(emeProfile);
      await use(browser);
      await browser.close();
    },
    { scope: 'worker', timeout: 60_000 },
  ],

  expectations: async ({ expectationsDir, browserSet, emeProfile }, use) => {
    await use(Expectations.load(expectationsDir, browserSet, emeProfile.project));
  },

  runScenario: async ({ emeBrowser, baseURL, browserSet, expectations }, use, testInfo) => {
    await use(async (scenario) => {
      const started = performance.now();
      const run = await api<{ id: string; runnerPath: string }>(`${baseURL}/api/runs`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ scenario: scenario.id, project: emeBrowser.identity.project }),
      });
      const page = await emeBrowser.open(`${baseURL}${run.runnerPath}`);
      let record: RunRecord;
      try {
        record = RunRecord.parse(await api(`${baseURL}/api/runs/${run.id}/record?wait=${RECORD_WAIT_MS}`));
      } finally {
        await page.close();
      }
      const judgement = scenario.judge(record);
      const expected = expectations.for(scenario.id);
      const result: ScenarioResult = {
        id: scenario.id,
        title: scenario.title,
        group: scenario.group,
        spec: scenario.spec,
        verdict: judgement.verdict,
        reason: judgement.reason,
        expected: { verdicts: expected.verdicts, ...(expected.reason ? { reason: expected.reason } : {}), ...(expected.bug ? { bug: expected.bug } : {}) },
        checks: judgement.checks,
        ...(judgement.findings ? { findings: judgement.findings } : {}),
        durationMs: Math.round(performance.now() - started),
        environment: record.page?.environment ?? null,
        record,
      };
      const attachment = ScenarioAttachment.parse({ schemaVersion: REPORT_SCHEMA_VERSION, browserSet, browser: emeBrowser.identity, result });
      await testInfo.attach(SCENARIO_ATTACHMENT, { body: JSON.stringify(attachment), contentType: 'application/json' });
      await testInfo.attach('timeline.txt', { body: formatTimeline(result), contentType: 'text/plain' });
      testInfo.annotations.push({ type: 'verdict', description: `${result.verdict}: ${result.reason}` });
      return result;
    });
  },
});

export { expect };
