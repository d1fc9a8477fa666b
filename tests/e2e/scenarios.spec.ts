// Every catalog scenario in every browser project. A test fails when the verdict is not one the
// project's expectations list: a browser lacking a feature is an expected 'unsupported', not a skip.
import { SCENARIOS } from '../../harness/catalog.ts';
import { expect, test } from './fixtures.ts';

for (const scenario of SCENARIOS) {
  test(`${scenario.id}: ${scenario.title}`, { tag: ['@eme', `@group-${scenario.group}`] }, async ({ runScenario }) => {
    const result = await runScenario(scenario);
    const failedChecks = result.checks.filter((c) => !c.ok && c.level === 'must').map((c) => `  - ${c.title}: expected ${c.expected}; observed ${c.observed}`);
    expect(
      result.expected.verdicts,
      [
        `${scenario.id}: verdict ${result.verdict} is not expected (${result.expected.verdicts.join(' | ')})`,
        `reason: ${result.reason}`,
        ...failedChecks,
      ].join('\n'),
    ).toContain(result.verdict);
  });
}
