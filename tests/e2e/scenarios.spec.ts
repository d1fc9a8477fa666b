// Every catalog scenario in every browser project. A test fails when the verdict is not one the
// project's expectations list: a browser lacking a feature is an expected 'unsupported', not a skip.
import { SCENARIOS } from '../../harness/catalog.ts';
import { scenarioTags, scenarioTestTitle } from '../../harness/scenario.ts';
import { expect, test } from './fixtures.ts';

// The failure reads the right way round: the browser's verdict first, then what the expectations allow.
const verdictExpect = expect.extend({
  toBeAnExpectedVerdict(observed: string, expected: string[]) {
    const pass = expected.includes(observed);
    return {
      pass,
      name: 'toBeAnExpectedVerdict',
      expected,
      actual: observed,
      message: () => `observed verdict: ${observed}\nexpected one of: ${expected.join(' | ')}`,
    };
  },
});

for (const scenario of SCENARIOS) {
  test(scenarioTestTitle(scenario), {
    tag: scenarioTags(scenario),
    annotation: { type: 'scenario', description: scenario.id },
  }, async ({ runScenario }) => {
    const result = await runScenario(scenario);
    const failedChecks = result.checks
      .filter((c) => !c.ok && c.level === 'must')
      .map((c) => `  - ${c.title}: expected ${c.expected}; observed ${c.observed}`);
    verdictExpect(
      result.verdict,
      [`${scenario.id}: ${result.reason}`, ...failedChecks].join('\n'),
    ).toBeAnExpectedVerdict(result.expected.verdicts);
  });
}
