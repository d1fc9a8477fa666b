import { test } from 'node:test';
import assert from 'node:assert/strict';
import { judgeProbe } from '../../harness/judge/probe.ts';
import { fixtureRecord, withEntries } from './helpers.ts';

test("Chromium's real Clear Key probe passes and lists what it supports", () => {
  const j = judgeProbe(fixtureRecord('chromium-probe-clearkey'), { mandatory: true });
  assert.equal(j.verdict, 'pass', j.reason);
  const findings = j.findings as {
    supported: string[];
    byKeySystem: Record<string, { supported: number; probed: number }>;
  };
  assert.equal(findings.byKeySystem['org.w3.clearkey']?.probed, 18);
  assert.ok(findings.supported.includes('org.w3.clearkey keyids/temporary/absent'));
  assert.ok(!findings.supported.some((s) => s.includes('persistent-license')), 'Chromium has no persistent Clear Key');
});

test('a rejection other than NotSupportedError fails', () => {
  const record = withEntries(fixtureRecord('chromium-probe-clearkey'), (es) =>
    es.map((e) =>
      e.type === 'result' && e.error?.name === 'NotSupportedError'
        ? { ...e, error: { name: 'TypeError', message: 'x' } }
        : e,
    ),
  );
  const j = judgeProbe(record, { mandatory: true });
  assert.equal(j.verdict, 'fail');
  assert.match(j.reason, /expected NotSupportedError; observed TypeError/);
});

test('a granted configuration that was not asked for fails the subset rule', () => {
  const record = withEntries(fixtureRecord('chromium-probe-clearkey'), (es) =>
    es.map((e) =>
      e.type === 'result' && e.name === 'getConfiguration'
        ? { ...e, value: { ...(e.value as object), initDataTypes: ['cenc', 'webm', 'keyids'] } }
        : e,
    ),
  );
  const j = judgeProbe(record, { mandatory: true });
  assert.equal(j.verdict, 'fail');
  assert.match(j.reason, /not asked for/);
});

test('a call that never settles fails the probe', () => {
  const record = withEntries(fixtureRecord('chromium-probe-clearkey'), (es) => {
    const firstResult = es.find((e) => e.type === 'result' && e.name === 'requestMediaKeySystemAccess')!;
    return es.filter((e) => e !== firstResult);
  });
  const j = judgeProbe(record, { mandatory: true });
  assert.equal(j.verdict, 'fail');
  assert.match(j.reason, /never settled/);
});

test('nothing supported: unsupported for an optional key system, fail for Clear Key', () => {
  const record = withEntries(fixtureRecord('chromium-probe-clearkey'), (es) =>
    es
      .filter((e) => e.name !== 'getConfiguration')
      .map((e) =>
        e.type === 'result' && e.name === 'requestMediaKeySystemAccess'
          ? {
              ...e,
              outcome: 'rejected' as const,
              value: undefined,
              error: { name: 'NotSupportedError', message: 'no' },
            }
          : e,
      ),
  );
  assert.equal(judgeProbe(record, { mandatory: false }).verdict, 'unsupported');
  const clearKey = judgeProbe(record, { mandatory: true });
  assert.equal(clearKey.verdict, 'fail');
  assert.match(clearKey.reason, /Clear Key temporary sessions are supported/);
});
