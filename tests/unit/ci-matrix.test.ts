// The CI workflow takes its job matrix from the browser profiles (the plan job), never a list of its own.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { ciMatrix } from '../../harness/browsers/ci-matrix.ts';
import { loadProfiles } from '../../harness/browsers/profiles.ts';

test('one job per project × shard, each with the engine its setup installs', () => {
  const { include } = ciMatrix(loadProfiles('debian'), 2);
  assert.equal(include.length, loadProfiles('debian').length * 2);
  assert.deepEqual(
    include.find((e) => e.project === 'firefox-persistent' && e.shard === 2),
    { project: 'firefox-persistent', engine: 'firefox', shard: 2, shards: 2 },
  );
  assert.throws(() => ciMatrix(loadProfiles('branded'), 2), /chrome, msedge cannot be installed there/);
});

test('the workflow builds its shard matrix from the plan job, and names no browser itself', () => {
  const wf = parse(readFileSync('.github/workflows/compat.yml', 'utf8')) as {
    jobs: Record<string, { needs?: string[]; strategy?: { matrix: unknown }; steps: { id?: string; run?: string }[] }>;
  };
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a GitHub Actions expression, compared as text
  assert.equal(wf.jobs['shard']!.strategy!.matrix, '${{ fromJSON(needs.plan.outputs.matrix) }}');
  assert.deepEqual(wf.jobs['shard']!.needs, ['plan']);
  assert.match(
    wf.jobs['plan']!.steps.find((s) => s.id === 'matrix')!.run!,
    /eme-compat\.js browsers debian --ci-matrix/,
  );
  for (const project of loadProfiles('debian').map((p) => p.project)) {
    assert.doesNotMatch(
      JSON.stringify(wf.jobs['shard']),
      new RegExp(`\\b${project}\\b`),
      `the shard job restates ${project}`,
    );
  }
});
