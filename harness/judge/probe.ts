// Rules for the capability probe. Each requestMediaKeySystemAccess() either grants access to a
// configuration that is a subset of what was asked (#get-supported-configuration) or rejects with
// NotSupportedError; anything else breaks the spec. Which configurations a browser supports is a
// finding, not a verdict: only Clear Key is mandatory (#common-key-systems).
import type { ProbeKey } from '../../model/page-data.ts';
import type { RunRecord } from '../../model/record.ts';
import { callTimeout } from './notes.ts';
import { Timeline } from './timeline.ts';
import { check, decide, type Check, type Judgement } from './verdict.ts';

export interface ProbeOutcome extends ProbeKey {
  supported: boolean;
  error?: string;
  /** encryptionScheme as getConfiguration() reported it ('absent' if the member was missing). */
  reportedScheme?: string | null;
}

interface Capability {
  contentType?: string;
  encryptionScheme?: string | null;
}
interface Configuration {
  initDataTypes?: string[];
  sessionTypes?: string[];
  videoCapabilities?: Capability[];
  audioCapabilities?: Capability[];
}

function subsetProblems(asked: Configuration, got: Configuration): string[] {
  const problems: string[] = [];
  for (const t of got.initDataTypes ?? [])
    if (!asked.initDataTypes?.includes(t)) problems.push(`initDataTypes has ${t}, not asked for`);
  if (JSON.stringify(got.sessionTypes ?? []) !== JSON.stringify(asked.sessionTypes ?? [])) {
    problems.push(`sessionTypes ${JSON.stringify(got.sessionTypes)} != asked ${JSON.stringify(asked.sessionTypes)}`);
  }
  for (const kind of ['videoCapabilities', 'audioCapabilities'] as const) {
    for (const cap of got[kind] ?? []) {
      if (!(asked[kind] ?? []).some((a) => a.contentType === cap.contentType))
        problems.push(`${kind} has ${cap.contentType}, not asked for`);
    }
  }
  if ((got.videoCapabilities ?? []).length + (got.audioCapabilities ?? []).length === 0)
    problems.push('no capability granted');
  return problems;
}

export function probeOutcomes(t: Timeline): { outcomes: ProbeOutcome[]; checks: Check[] } {
  const outcomes: ProbeOutcome[] = [];
  const checks: Check[] = [];
  const configs = t.calls('access', 'getConfiguration');
  for (const { call, result } of t.calls('navigator', 'requestMediaKeySystemAccess')) {
    const probe = call.data?.probe;
    if (!probe) continue;
    const name = `${probe.keySystem} ${probe.initDataType}/${probe.sessionType}/${probe.encryptionScheme}`;
    const timeout = callTimeout(t, call);
    if (!result || timeout) {
      const observed = timeout
        ? `not settled within ${String(timeout.data.timeoutMs)} ms${result ? ` (${result.outcome} later, after ${result.duration} ms)` : ''}`
        : 'never settled';
      outcomes.push({ ...probe, supported: false, error: observed });
      checks.push(
        check({
          id: `settles:${name}`,
          title: `requestMediaKeySystemAccess settles (${name})`,
          ok: false,
          expected: 'resolved or rejected',
          observed,
          spec: '#dom-navigator-requestmediakeysystemaccess',
        }),
      );
      continue;
    }
    if (result.outcome === 'rejected' || result.outcome === 'threw') {
      const errName = result.error?.name ?? '?';
      outcomes.push({ ...probe, supported: false, error: `${errName}: ${result.error?.message ?? ''}` });
      if (errName !== 'NotSupportedError') {
        checks.push(
          check({
            id: `reject-name:${name}`,
            title: `an unsupported configuration rejects with NotSupportedError (${name})`,
            ok: false,
            expected: 'NotSupportedError',
            observed: errName,
            spec: '#dom-navigator-requestmediakeysystemaccess',
          }),
        );
      }
      continue;
    }
    const configResult = configs.find((c) => JSON.stringify(c.call.data?.probe) === JSON.stringify(probe))?.result;
    const got = (configResult?.value ?? {}) as Configuration;
    const asked = (call.args?.[1] as Configuration[] | undefined)?.[0] ?? {};
    const problems = configResult ? subsetProblems(asked, got) : ['getConfiguration() was not recorded'];
    const video = got.videoCapabilities?.[0];
    const reportedScheme = video && 'encryptionScheme' in video ? (video.encryptionScheme ?? null) : 'absent';
    if (probe.encryptionScheme !== 'absent' && reportedScheme !== probe.encryptionScheme) {
      problems.push(`encryptionScheme reported as ${JSON.stringify(reportedScheme)}, asked ${probe.encryptionScheme}`);
    }
    outcomes.push({ ...probe, supported: true, reportedScheme });
    if (problems.length) {
      checks.push(
        check({
          id: `subset:${name}`,
          title: `getConfiguration() is the supported subset of the request (${name})`,
          ok: false,
          expected: 'a subset of the requested configuration',
          observed: problems.join('; '),
          spec: '#get-supported-configuration',
        }),
      );
    }
  }
  return { outcomes, checks };
}

function summarise(outcomes: ProbeOutcome[]) {
  const supported = outcomes
    .filter((o) => o.supported)
    .map(
      ({ keySystem, initDataType, sessionType, encryptionScheme }) =>
        `${keySystem} ${initDataType}/${sessionType}/${encryptionScheme}`,
    );
  const byKeySystem: Record<string, { supported: number; probed: number }> = {};
  for (const o of outcomes) {
    const row = (byKeySystem[o.keySystem] ??= { supported: 0, probed: 0 });
    row.probed++;
    if (o.supported) row.supported++;
  }
  return { byKeySystem, supported, outcomes };
}

export function judgeProbe(record: RunRecord, options: { mandatory: boolean }): Judgement {
  const t = new Timeline(record);
  const { outcomes, checks } = probeOutcomes(t);
  const findings = summarise(outcomes);
  const anySupported = outcomes.some((o) => o.supported);
  const probed = outcomes.length;
  checks.unshift(
    check({
      id: 'probes-ran',
      title: 'every probe ran',
      ok: probed > 0 || record.page?.outcome.status !== 'completed',
      expected: 'at least one probe',
      observed: `${probed} probes`,
    }),
  );
  if (options.mandatory) {
    const temporary = outcomes.some((o) => o.supported && o.sessionType === 'temporary');
    checks.push(
      check({
        id: 'clear-key-mandatory',
        title: 'Clear Key temporary sessions are supported (every user agent must)',
        ok: temporary,
        expected: 'at least one temporary configuration supported',
        observed: `${findings.supported.length} of ${probed} configurations supported`,
        spec: '#common-key-systems',
      }),
    );
  }
  const judgement = decide(record, checks, { findings });
  if (judgement.verdict === 'pass' && !anySupported && !options.mandatory) {
    const names = Object.keys(findings.byKeySystem).join(', ');
    const firstError = outcomes[0]?.error ?? '';
    return {
      ...judgement,
      verdict: 'unsupported',
      reason: `${names}: none of ${probed} configurations is supported (${firstError})`,
    };
  }
  if (judgement.verdict === 'pass') {
    judgement.reason = `${findings.supported.length} of ${probed} configurations supported; every answer follows the spec`;
  }
  return judgement;
}
