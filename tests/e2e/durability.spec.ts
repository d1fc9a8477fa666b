// The harness under a page that never reports: the scenario gets a timeout verdict with the reason,
// and the browser goes on to run the next scenario normally.
import { HARNESS_SCENARIOS, findScenario } from '../../harness/catalog.ts';
import { expect, test } from './fixtures.ts';

test('a hung page yields a timeout verdict, and the next run in the same browser is unaffected', async ({
  runScenario,
}) => {
  const hang = HARNESS_SCENARIOS.find((s) => s.id === 'harness.never-reports')!;
  const hung = await runScenario(hang, { recordWaitMs: 2000 });
  expect(hung.verdict).toBe('timeout');
  expect(hung.reason).toContain('did not report its timeline within 2000 ms');
  expect(hung.record.status).toBe('running');

  const next = await runScenario(findScenario('probe.clearkey')!);
  expect(['pass', 'unsupported']).toContain(next.verdict);
  expect(next.record.finished).toBe(true);
});
