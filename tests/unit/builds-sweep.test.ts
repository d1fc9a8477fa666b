// The sweep's bookkeeping: the table it prints, and how `npm test` counts a sweep (a build counts when
// its reports name it exactly and every verdict was expected).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatSweep, SWEEP_FILE, sweepStepCounts, type SweepResult, type SweptBuild } from '../../cli/sweep.ts';
import { countVerdicts } from '../../model/results.ts';
import { syntheticReport } from './helpers.ts';

const swept = (build: string, source: string, report: string, counts: SweptBuild['counts']): SweptBuild => ({
  build,
  version: '1',
  source,
  driver: 'playwright',
  wallMs: 12_345,
  status: 'passed',
  complete: true,
  counts,
  reports: [report],
});

test('a swept build counts when its reports name it exactly and every verdict was expected', () => {
  const dir = mkdtempSync(join(tmpdir(), 'eme-sweep-'));
  const good = syntheticReport('chromium@110', [{ id: 'a', verdict: 'pass' }], {
    source: 'npm:@sparticuz/chromium@110.0.1',
  });
  const unexpected = syntheticReport('chromium@119', [{ id: 'a', verdict: 'fail' }], {
    source: 'npm:@sparticuz/chromium@119.0.2',
  });
  const unnamed = syntheticReport('chromium@92', [{ id: 'a', verdict: 'pass' }]);
  writeFileSync(join(dir, 'good.json'), JSON.stringify(good));
  writeFileSync(join(dir, 'unexpected.json'), JSON.stringify(unexpected));
  writeFileSync(join(dir, 'unnamed.json'), JSON.stringify(unnamed));
  const builds = [
    swept('chromium@110', 'npm:@sparticuz/chromium@110.0.1', 'good.json', countVerdicts(good.scenarios)),
    swept('chromium@119', 'npm:@sparticuz/chromium@119.0.2', 'unexpected.json', countVerdicts(unexpected.scenarios)),
    swept('chromium@92', 'npm:@sparticuz/chromium@92.0.0', 'unnamed.json', countVerdicts(unnamed.scenarios)),
    { ...swept('chromium@103', 'npm:@sparticuz/chromium@103.0.0', 'x', null), reports: [] },
  ];
  writeFileSync(join(dir, SWEEP_FILE), JSON.stringify({ builds }));
  assert.deepEqual(sweepStepCounts(dir), { passed: 1, failed: 3 });
  assert.deepEqual(sweepStepCounts(join(dir, 'nowhere')), { passed: 0, failed: 1 });
});

test('the sweep table has a line per build and says when the run is partial', () => {
  const result: SweepResult = {
    startedAt: '',
    wallMs: 65_000,
    installMs: 5_000,
    builds: [
      swept('chromium@110', 'npm:@sparticuz/chromium@110.0.1', 'r.json', {
        pass: 70,
        fail: 6,
        unsupported: 7,
        'not-measurable': 0,
        error: 1,
        crash: 0,
        timeout: 0,
        total: 84,
      }),
      {
        ...swept('firefox-esr@140', 'debian:firefox-esr=140.12.0esr-1~deb12u1', 'x', null),
        reports: [],
        error: 'no reports',
      },
    ],
    index: {
      generatedAt: '',
      startedAt: '',
      status: 'failed',
      reports: [],
      complete: false,
      scope: 'partial',
      gaps: ['firefox-esr@140: no reports'],
    },
  };
  const lines = formatSweep(result).split('\n');
  assert.equal(lines.length, 4);
  assert.match(lines[1]!, /^chromium@110 +1 +playwright +npm:@sparticuz\/chromium@110\.0\.1 +12\.3 s +70 +6 +7 +1$/);
  assert.match(lines[2]!, /^firefox-esr@140 .* - +- +- +no reports$/);
  assert.equal(lines[3], '2 build(s) in 65.0 s (installs 5.0 s); partial run, gaps: firefox-esr@140: no reports');
});
