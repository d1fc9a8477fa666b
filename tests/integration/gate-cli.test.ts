// `eme-compat gate` as CI calls it, on run folders written here: each exit code means one thing, a
// missing project or shard is named, a broken expectation file is one line with no stack, and the
// Markdown summary lands where GitHub reads it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SCENARIOS } from '../../harness/catalog.ts';
import { Expectations } from '../../harness/expectations.ts';
import { loadProfiles } from '../../harness/browsers/profiles.ts';
import { plannedCoverage } from '../../report/coverage.ts';
import type { CompatReport } from '../../model/results.ts';
import type { RunIndex } from '../../report/compat-reporter.ts';
import type { Verdict } from '../../model/verdict.ts';
import { syntheticReport } from '../unit/helpers.ts';

const planned = plannedCoverage(loadProfiles('debian'), { projects: null, grep: null, grepInvert: null });

/** A report whose every verdict is the first one the committed expectations allow, unless overridden. */
function report(project: string, override: Record<string, Verdict> = {}, only?: string[]): CompatReport {
  const expectations = Expectations.load('expectations', 'debian', project);
  const browser = { channel: null, version: '156.0.1' };
  const scenarios = (only ?? planned.get(project)!).map((id) => {
    const s = SCENARIOS.find((x) => x.id === id)!;
    const verdict = override[id] ?? expectations.for(id, browser).verdicts[0]!;
    return { id, verdict, title: s.title, group: s.group, spec: s.spec };
  });
  return syntheticReport(project, scenarios, { ...browser, engine: 'chromium' });
}

function runFolder(reports: CompatReport[], index: Partial<RunIndex> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'eme-gate-'));
  const files = reports.map((r) => {
    const f = `${r.browser.project}.json`;
    writeFileSync(join(dir, f), JSON.stringify(r));
    return f;
  });
  writeFileSync(
    join(dir, 'index.json'),
    JSON.stringify({
      generatedAt: '',
      startedAt: '',
      status: 'passed',
      reports: files,
      browserSet: 'debian',
      ...index,
    }),
  );
  return dir;
}

function gate(...args: string[]) {
  const r = spawnSync(process.execPath, ['bin/eme-compat.js', 'gate', ...args], {
    encoding: 'utf8',
    env: { ...process.env, GITHUB_STEP_SUMMARY: '' },
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const all = () => [...planned.keys()].map((p) => report(p));

test('a complete run with every verdict as expected exits 0', () => {
  const r = gate(runFolder(all()));
  assert.equal(r.code, 0, r.out + r.err);
  assert.match(r.out, /all as expected/);
});

test('a run folder missing a project exits 3 (incomplete coverage) and names the project', () => {
  const r = gate(runFolder(all().filter((x) => x.browser.project !== 'firefox')));
  assert.equal(r.code, 3, r.out + r.err);
  assert.match(r.out, /INCOMPLETE COVERAGE[\s\S]*firefox: no report/);
  assert.doesNotMatch(r.out, /chromium: no report/);
});

test('a project missing scenarios, a recorded shard and an interrupted run are incomplete too', () => {
  const some = report('chromium', {}, planned.get('chromium')!.slice(0, 5));
  const missing = gate(runFolder([some, ...all().filter((x) => x.browser.project !== 'chromium')]));
  assert.equal(missing.code, 3);
  assert.match(
    missing.out,
    new RegExp(
      `chromium: ${planned.get('chromium')!.length - 5} of ${planned.get('chromium')!.length} scenario\\(s\\) missing`,
    ),
  );
  const shard = gate(runFolder(all(), { selection: { projects: null, grep: null, grepInvert: null, shard: '1/2' } }));
  assert.equal(shard.code, 3);
  assert.match(shard.out, /shard 1\/2/);
  assert.equal(gate(runFolder(all(), { status: 'interrupted' })).code, 3);
});

test('a recorded narrowing is what the run must cover; the gate can be told more', () => {
  const dir = runFolder([report('chromium', {}, ['access.key-system-names'])], {
    selection: { projects: ['chromium'], grep: 'access\\.key-system-names:', grepInvert: null, shard: null },
  });
  assert.equal(gate(dir).code, 0);
  const wider = gate(dir, '--project', 'chromium', 'webkit');
  assert.equal(wider.code, 3);
  assert.match(wider.out, /webkit: no report/);
});

test('a regression exits 1; an unexpected pass is listed apart and fails only when asked', () => {
  const regression = gate(
    runFolder(
      all().map((r) =>
        r.browser.project === 'chromium' ? report('chromium', { 'lifecycle.temporary.keyids': 'fail' }) : r,
      ),
    ),
  );
  assert.equal(regression.code, 1, regression.out);
  assert.match(
    regression.out,
    /REGRESSIONS \(1\):\n {2}chromium {2}lifecycle\.temporary\.keyids: observed fail, expected pass/,
  );
  const webkit = all().map((r) => (r.browser.project === 'webkit' ? report('webkit', { 'playback.cenc': 'pass' }) : r));
  const lenient = gate(runFolder(webkit));
  assert.equal(lenient.code, 0, lenient.out);
  assert.match(lenient.out, /UNEXPECTED PASSES[^\n]*not failing[\s\S]*webkit {2}playback\.cenc: observed pass/);
  assert.doesNotMatch(lenient.out, /REGRESSIONS/);
  assert.equal(gate(runFolder(webkit), '--fail-on-unexpected-pass').code, 1);
});

test('a broken expectation file exits 2 with one line and no stack trace', () => {
  const expectations = mkdtempSync(join(tmpdir(), 'eme-exp-'));
  mkdirSync(join(expectations, 'debian'));
  writeFileSync(
    join(expectations, 'debian', 'chromium.json'),
    '{"schemaVersion":1,"project":"chromium","expectations":{"a":{"verdicts":["maybe"]}}',
  );
  const r = gate(runFolder(all()), '--expectations', expectations);
  assert.equal(r.code, 2);
  assert.equal(r.err.trim().split('\n').length, 1, r.err);
  assert.match(r.err, /^eme-compat: cannot read expectations .*chromium\.json/);
  assert.doesNotMatch(r.err, /\n\s+at /);
});

test('unreadable reports and bad options are usage errors (exit 2)', () => {
  assert.equal(gate(mkdtempSync(join(tmpdir(), 'eme-empty-'))).code, 2);
  const dir = runFolder(all());
  writeFileSync(join(dir, 'chromium.json'), '{"schemaVersion":1}');
  const broken = gate(dir);
  assert.equal(broken.code, 2);
  assert.match(broken.err, /does not match the report schema/);
  assert.equal(gate(runFolder(all()), '--no-such-option').code, 2);
  assert.equal(gate(runFolder(all()), '--project', 'netscape').code, 2);
});

test('the Markdown summary is appended for GitHub', () => {
  const summary = join(mkdtempSync(join(tmpdir(), 'eme-md-')), 'summary.md');
  writeFileSync(summary, 'earlier step\n');
  gate(
    runFolder(
      all()
        .filter((x) => x.browser.project !== 'webkit')
        .map((r) => (r.browser.project === 'firefox' ? report('firefox', { 'playback.cenc': 'error' }) : r)),
    ),
    '--summary',
    summary,
  );
  const md = readFileSync(summary, 'utf8');
  assert.match(md, /^earlier step\n### EME compatibility gate: ❌ unexpected verdicts/);
  assert.match(md, /\| firefox \| `playback\.cenc` \| error \| pass \| observed error \|/);
  assert.match(md, /#### Missing coverage[\s\S]*- webkit: no report/);
});
