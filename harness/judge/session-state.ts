// The session-state model: what one MediaKeySession went through, built from a run's timeline, in the
// spec's words. The lifecycle, case and fault rules read a session's facts here (its calls, messages,
// key status changes, how it closed) instead of each finding them again; the states say where the
// session was at any point.
//
//   created ──generateRequest() resolves──▶ request-generated ──update() resolves──▶ licensed ⟲ update()
//   created ──load(sessionId) resolves true──▶ loaded ──update() resolves──▶ licensed
//   request-generated | loaded | licensed ──remove() resolves──▶ released ⟲ update() (the acknowledgement)
//   request-generated | loaded | licensed | released ──close() resolves──▶ closed ⟲ close()
//   any state ──the closed promise resolves──▶ closed
//
// (#dom-mediakeysession-generaterequest, #dom-mediakeysession-load, #dom-mediakeysession-update,
// #dom-mediakeysession-remove, #dom-mediakeysession-close, #session-closed.) A call that rejects or
// throws changes nothing, and load() resolving false (nothing stored) leaves the session created. A
// step the spec does not allow from the state the session was in (update() resolving after close, say)
// is kept as a departure; no rule judges departures yet, so they change no verdict.
import type { EventEntry, EventOf, PageEntry, PromiseEntry } from '../../model/record.ts';
import type { Settled, Timeline } from './timeline.ts';

export const SESSION_STATES = ['created', 'request-generated', 'loaded', 'licensed', 'released', 'closed'] as const;
export type SessionState = (typeof SESSION_STATES)[number];

/** What moves a session: a call that fulfilled, or the closed promise resolving. */
export type SessionStep = 'generateRequest' | 'load' | 'update' | 'remove' | 'close' | 'closed';

/** The state each step leads to from each state, where the spec allows the step at all. */
export const TRANSITIONS: Record<SessionState, Partial<Record<SessionStep, SessionState>>> = {
  /** Not callable yet: update(), close() and remove() must reject (InvalidStateError). */
  created: { generateRequest: 'request-generated', load: 'loaded', closed: 'closed' },
  'request-generated': { update: 'licensed', remove: 'released', close: 'closed', closed: 'closed' },
  loaded: { update: 'licensed', remove: 'released', close: 'closed', closed: 'closed' },
  licensed: { update: 'licensed', remove: 'released', close: 'closed', closed: 'closed' },
  /** update() here sends the release acknowledgement; the closed promise then resolves. */
  released: { update: 'released', close: 'closed', closed: 'closed' },
  /** close() again resolves and changes nothing; every other call must reject. */
  closed: { close: 'closed', closed: 'closed' },
};

export interface Transition {
  from: SessionState;
  to: SessionState;
  step: SessionStep;
  /** The entry that made it: the call's result, or the closed promise's settlement. */
  at: PageEntry;
}

/** The entry's session snapshot lists every one of `kids` with `status`. */
export function statusesAre(entry: PageEntry | undefined, kids: string[], status: string): boolean {
  return !!entry?.session && kids.every((k) => entry.session?.keyStatuses[k] === status);
}

/** A message event's body, when it is a JSON object (a Clear Key license request or release). */
export function messageJson(entry: EventOf<'message'> | undefined): Record<string, unknown> | undefined {
  const json = entry?.data?.message?.json;
  return json && typeof json === 'object' ? (json as Record<string, unknown>) : undefined;
}

/** Which step a settled entry is, if it is one that can move a session. */
function stepOf(entry: PageEntry): SessionStep | null {
  if (entry.type === 'promise') return entry.name === 'closed' && entry.outcome === 'resolved' ? 'closed' : null;
  if (entry.type !== 'result' || (entry.outcome !== 'resolved' && entry.outcome !== 'returned')) return null;
  switch (entry.name) {
    case 'generateRequest':
    case 'update':
    case 'remove':
    case 'close':
      return entry.name;
    case 'load':
      // load() resolving false found nothing stored: the session gets no license and stays as it was.
      return entry.value === true ? 'load' : null;
    default:
      return null;
  }
}

/** One session of a run, by its label ('s1', 'page2-s1'). */
export class SessionModel {
  /** Everything recorded on the session, in order. */
  readonly entries: PageEntry[];
  /** The steps the spec allows, in order. */
  readonly transitions: Transition[] = [];
  /** The steps the spec does not allow from the state the session was in. */
  readonly departures: Transition[] = [];

  constructor(
    readonly t: Timeline,
    readonly label: string,
  ) {
    this.entries = t.entries.filter((e) => e.target === label);
    let state: SessionState = 'created';
    for (const entry of this.entries) {
      const step = stepOf(entry);
      if (!step) continue;
      const to: SessionState | undefined = TRANSITIONS[state][step];
      if (to) {
        if (to !== state) this.transitions.push({ from: state, to, step, at: entry });
        state = to;
      } else {
        this.departures.push({ from: state, to: state, step, at: entry });
      }
    }
  }

  /** The state after every entry up to and including `seq` (the end of the run by default). */
  state(seq = Number.MAX_SAFE_INTEGER): SessionState {
    return this.transitions.filter((x) => x.at.seq <= seq).at(-1)?.to ?? 'created';
  }

  /** The entry with which the session first reached `state`. */
  reached(state: SessionState): PageEntry | undefined {
    return this.transitions.find((x) => x.to === state)?.at;
  }

  /** Calls of `name` on the session, each with the entry that settled it. */
  calls(name: string): Settled[] {
    return this.t.calls(this.label, name);
  }

  get generateRequest(): Settled | undefined {
    return this.calls('generateRequest')[0];
  }

  get load(): Settled | undefined {
    return this.calls('load')[0];
  }

  get updates(): Settled[] {
    return this.calls('update');
  }

  /** The first close() call. */
  get close(): Settled | undefined {
    return this.calls('close')[0];
  }

  get remove(): Settled | undefined {
    return this.calls('remove')[0];
  }

  /** The closed promise's settlement. */
  get closed(): PromiseEntry | undefined {
    return this.t.promise(this.label, 'closed');
  }

  /** The sessionId once generateRequest() resolved ('' when it never did). */
  get sessionId(): string {
    return this.generateRequest?.result?.session?.sessionId ?? '';
  }

  messages(afterSeq = -1): EventOf<'message'>[] {
    return this.t.events(this.label, 'message', afterSeq);
  }

  /** The first message of `messageType` after `afterSeq`. */
  message(messageType: string, afterSeq = -1): EventOf<'message'> | undefined {
    return this.messages(afterSeq).find((e) => e.data?.messageType === messageType);
  }

  keyChanges(afterSeq = -1): EventOf<'keystatuseschange'>[] {
    return this.t.events(this.label, 'keystatuseschange', afterSeq);
  }

  /** The first entry after `afterSeq` whose snapshot lists every one of `kids` with `status` (a call result, an event, the closed promise). */
  firstWithStatuses(kids: string[], status: string, afterSeq = -1): PageEntry | undefined {
    return this.entries.find((e) => e.seq > afterSeq && statusesAre(e, kids, status));
  }

  /** The first 'keystatuseschange' with an empty map after `afterSeq` (closing empties the map: #session-closed). */
  emptiedAfter(afterSeq: number): EventOf<'keystatuseschange'> | undefined {
    return this.keyChanges(afterSeq).find((e) => e.session?.size === 0);
  }

  /** Events after `afterSeq`. */
  eventsAfter(afterSeq: number): EventEntry[] {
    return this.entries.filter((e): e is EventEntry => e.type === 'event' && e.seq > afterSeq);
  }

  /** Events and promise settlements after `afterSeq`: what a "nothing after" rule counts. */
  activityAfter(afterSeq: number): (EventEntry | PromiseEntry)[] {
    return this.t.sessionActivity(this.label, afterSeq);
  }
}

const models = new WeakMap<Timeline, Map<string, SessionModel>>();

/** The model of the session labelled `label` in a run (built once per timeline). */
export function sessionOf(t: Timeline, label: string): SessionModel {
  let byLabel = models.get(t);
  if (!byLabel) models.set(t, (byLabel = new Map()));
  let model = byLabel.get(label);
  if (!model) byLabel.set(label, (model = new SessionModel(t, label)));
  return model;
}

/** The labels of the sessions the page made, in order (from its createSession() calls). */
export function sessionLabels(t: Timeline): string[] {
  return [...new Set(t.calls('mediaKeys', 'createSession').map((c) => String(c.call.data?.label)))];
}

/** Every key id any session of the run reported 'usable' in a 'keystatuseschange'. */
export function usableKeyIds(t: Timeline): Set<string> {
  const kids = new Set<string>();
  for (const e of t.entries) {
    if (e.type !== 'event' || e.name !== 'keystatuseschange' || !e.session) continue;
    for (const [kid, status] of Object.entries(e.session.keyStatuses)) if (status === 'usable') kids.add(kid);
  }
  return kids;
}
