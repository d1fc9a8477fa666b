// What each session of a traced page went through, read by the judge's session-state model
// (harness/judge/session-state.ts): the states it reached in the spec's words, the steps the spec does
// not allow from where it was, and its last key statuses. A trace has no scenario to pass or fail; this
// is the part of the judge that applies to any page.
import type { RunRecord } from '../../model/record.ts';
import { sessionLabels, sessionOf } from '../../harness/judge/session-state.ts';
import { Timeline } from '../../harness/judge/timeline.ts';

export interface SessionSummary {
  label: string;
  sessionId: string;
  /** The states reached, in order, from 'created'. */
  states: string[];
  /** Steps the spec does not allow from the state the session was in ('update in closed', …). */
  departures: string[];
  /** The last key statuses seen (lower-case hex key id → status). */
  keyStatuses: Record<string, string>;
}

export function summariseSessions(record: RunRecord): SessionSummary[] {
  const t = new Timeline(record);
  return sessionLabels(t).map((label) => {
    const model = sessionOf(t, label);
    const lastSnapshot = [...model.entries].reverse().find((e) => e.session)?.session;
    return {
      label,
      sessionId: lastSnapshot?.sessionId ?? model.sessionId,
      states: ['created', ...model.transitions.map((x) => x.to)],
      departures: model.departures.map((x) => `${x.step} in ${x.from} (#${x.at.seq})`),
      keyStatuses: lastSnapshot?.keyStatuses ?? {},
    };
  });
}

export function formatSessions(sessions: SessionSummary[]): string[] {
  if (!sessions.length) return ['  (no session was created)'];
  return sessions.map((s) => {
    const keys = Object.entries(s.keyStatuses)
      .map(([k, v]) => `${k.slice(0, 8)}…=${v}`)
      .join(' ');
    return `  ${s.label} (id ${s.sessionId || '""'}): ${s.states.join(' → ')}${keys ? `; keys ${keys}` : ''}${s.departures.length ? `; NOT ALLOWED BY THE SPEC: ${s.departures.join(', ')}` : ''}`;
  });
}
