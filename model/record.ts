// The data that crosses the boundaries of one run: what the page recorded, what the license endpoint
// saw, and the joined record both are judged from. Every shape here is validated where it enters
// (server endpoints, report reader), so the types below can be trusted once parsed.
// A page entry is a closed, discriminated union (by `type`, then by event, note or license `name`):
// the page ⇄ judge contract. Its `data` shapes are model/page-data.ts; note names and their data are
// the registry in model/notes.ts.
import { z } from 'zod';
import { CallData, EVENT_DATA, LICENSE_DATA, RunOutcome, Seq, VIDEO_STATE_EVENTS } from './page-data.ts';
import { NOTES, NOTE_NAMES, type NoteName } from './notes.ts';

export { RunOutcome } from './page-data.ts';

export const ErrorInfo = z.strictObject({ name: z.string(), message: z.string() });
export type ErrorInfo = z.infer<typeof ErrorInfo>;

// expiration is a double that is NaN for Clear Key; JSON cannot carry NaN, so it travels as the string.
export const Expiration = z.union([z.number(), z.literal('NaN'), z.null()]);

export const SessionSnapshot = z.strictObject({
  sessionId: z.string(),
  expiration: Expiration,
  // MediaKeyStatusMap, keyed by lower-case hex key id.
  keyStatuses: z.record(z.string(), z.string()),
  size: z.number().int().nonnegative(),
});
export type SessionSnapshot = z.infer<typeof SessionSnapshot>;

export const EntryType = z.enum(['call', 'result', 'event', 'promise', 'note', 'license']);
export type EntryType = z.infer<typeof EntryType>;

/**
 * A field an entry type never carries: refused when present. To TypeScript it has the type the field
 * has where it belongs, so any entry can be read without narrowing it first (`e.session`, `e.data`).
 */
const absent = <T>() => z.custom<T>(() => false, { error: 'not a field of this entry type' }).optional();
const NO_FIELDS = {
  args: absent<unknown[]>(),
  of: absent<number>(),
  outcome: absent<'resolved' | 'rejected' | 'returned' | 'threw'>(),
  value: absent<unknown>(),
  error: absent<ErrorInfo>(),
  duration: absent<number>(),
  session: absent<SessionSnapshot>(),
  data: absent<Record<string, unknown>>(),
};

/** What every entry has, and every field it may have (absent until a variant says otherwise). */
const ENVELOPE = {
  seq: Seq,
  /** milliseconds since the runner started, from performance.now() (monotonic). */
  t: z.number().nonnegative(),
  /** 'navigator', 'access', 'mediaKeys', a session label such as 's1', 'video', 'runner'. */
  target: z.string().max(64),
  ...NO_FIELDS,
};
/** Method, event, promise or note name. */
const NAME = z.string().max(128);

const CALL = {
  ...ENVELOPE,
  type: z.literal('call'),
  name: NAME,
  args: z.array(z.unknown()),
  data: CallData.optional(),
};
const RESULT = {
  ...ENVELOPE,
  type: z.literal('result'),
  name: NAME,
  /** The seq of the 'call' this settles. */
  of: Seq,
  outcome: z.enum(['resolved', 'rejected', 'returned', 'threw']),
  value: z.unknown().optional(),
  error: ErrorInfo.optional(),
  duration: z.number().nonnegative().optional(),
  session: SessionSnapshot.optional(),
};
const SESSION_EVENT = { ...ENVELOPE, type: z.literal('event'), session: SessionSnapshot.optional() };
const VIDEO_EVENT = { ...ENVELOPE, type: z.literal('event') };
const EVENTS = {
  message: { ...SESSION_EVENT, name: z.literal('message'), data: EVENT_DATA.message },
  keystatuseschange: { ...SESSION_EVENT, name: z.literal('keystatuseschange') },
  encrypted: { ...VIDEO_EVENT, name: z.literal('encrypted'), data: EVENT_DATA.encrypted },
  progress: { ...VIDEO_EVENT, name: z.literal('progress'), data: EVENT_DATA.progress },
  error: { ...VIDEO_EVENT, name: z.literal('error'), data: EVENT_DATA.error },
  videoState: { ...VIDEO_EVENT, name: z.enum(VIDEO_STATE_EVENTS), data: EVENT_DATA.videoState },
};
const PROMISE = {
  ...ENVELOPE,
  type: z.literal('promise'),
  /** MediaKeySession.closed, recorded when it settles. */
  name: z.literal('closed'),
  outcome: z.enum(['resolved', 'rejected']),
  value: z.unknown().optional(),
  error: ErrorInfo.optional(),
  session: SessionSnapshot.optional(),
};
const LICENSE_REQUEST = {
  ...ENVELOPE,
  type: z.literal('license'),
  name: z.literal('request'),
  data: LICENSE_DATA.request.optional(),
};
const LICENSE_RESPONSE = {
  ...ENVELOPE,
  type: z.literal('license'),
  name: z.literal('response'),
  /** The seq of the 'request' this answers. */
  of: Seq.optional(),
  error: ErrorInfo.optional(),
  data: LICENSE_DATA.response.optional(),
};
type NoteShape<N extends NoteName> = Omit<typeof ENVELOPE, 'data'> & {
  type: z.ZodLiteral<'note'>;
  name: z.ZodLiteral<N>;
  data: (typeof NOTES)[N];
};
type NoteVariant<X extends z.ZodRawShape> = {
  [N in NoteName]: z.ZodObject<NoteShape<N> & X, z.core.$strict>;
}[NoteName];

/** The entry union, each variant with the fields of `extra` too (the joined record adds `source`). */
function entrySchema<X extends z.ZodRawShape>(extra: X) {
  const variant = <S extends z.ZodRawShape>(shape: S) => z.strictObject({ ...shape, ...extra });
  const notes = NOTE_NAMES.map((n) =>
    variant({ ...ENVELOPE, type: z.literal('note'), name: z.literal(n), data: NOTES[n] }),
  );
  return z.discriminatedUnion('type', [
    variant(CALL),
    variant(RESULT),
    z.discriminatedUnion('name', [
      variant(EVENTS.message),
      variant(EVENTS.keystatuseschange),
      variant(EVENTS.encrypted),
      variant(EVENTS.progress),
      variant(EVENTS.error),
      variant(EVENTS.videoState),
    ]),
    variant(PROMISE),
    z.discriminatedUnion('name', notes as unknown as [NoteVariant<X>, ...NoteVariant<X>[]]),
    z.discriminatedUnion('name', [variant(LICENSE_REQUEST), variant(LICENSE_RESPONSE)]),
  ]);
}

/** One line of the page's timeline (an eme_logger-style record plus sequence numbers). */
export const PageEntry = entrySchema({});
export type PageEntry = z.infer<typeof PageEntry>;
export type CallEntry = Extract<PageEntry, { type: 'call' }>;
export type ResultEntry = Extract<PageEntry, { type: 'result' }>;
export type EventEntry = Extract<PageEntry, { type: 'event' }>;
export type PromiseEntry = Extract<PageEntry, { type: 'promise' }>;
export type NoteEntry<N extends NoteName = NoteName> = Extract<PageEntry, { type: 'note'; name: N }>;
export type LicenseEntry = Extract<PageEntry, { type: 'license' }>;
export type EventName = EventEntry['name'];
/** The entries of event `name` (the <video> state events share a variant whose name is one of several). */
export type EventOf<N extends EventName> = EventEntry extends infer E
  ? E extends { name: infer M }
    ? N extends M
      ? E & { name: N }
      : never
    : never
  : never;

export const PageEnvironment = z.strictObject({
  userAgent: z.string().max(1000),
  isSecureContext: z.boolean(),
  origin: z.string().max(500),
  emeApi: z.record(z.string(), z.string()),
});
export type PageEnvironment = z.infer<typeof PageEnvironment>;

export const PageTimeline = z.strictObject({
  entries: z.array(PageEntry).max(20000),
  outcome: RunOutcome,
  environment: PageEnvironment,
});
export type PageTimeline = z.infer<typeof PageTimeline>;

/** What the license endpoint saw for one POST, recorded before the answer is sent. */
export const LicenseExchange = z.object({
  exchange: z.number().int().nonnegative(),
  /** The page's seq of the 'license' entry that sent it, when the page said so. */
  pageSeq: z.number().int().nonnegative().nullable(),
  session: z.string().nullable(),
  messageType: z.string().nullable(),
  receivedAt: z.string(),
  request: z.object({
    contentType: z.string().nullable(),
    size: z.number().int().nonnegative(),
    base64: z.string(),
    json: z.unknown().optional(),
  }),
  response: z.object({
    /** 0 when no HTTP answer was sent (reset, hang). */
    status: z.number().int(),
    body: z.unknown(),
    /** How the answer left: sent whole, connection reset, or held until the client gave up. */
    delivery: z.enum(['answered', 'reset', 'hang']).default('answered'),
  }),
  /** Proxy mode: the license profile and upstream that answered instead of the local key store. */
  proxy: z
    .object({
      profile: z.string(),
      keySystem: z.string(),
      upstream: z.string(),
      upstreamStatus: z.number().int(),
      upstreamMs: z.number(),
      error: z.string().nullable(),
    })
    .nullable()
    .default(null),
  /** The fault the run's scenario injected into this exchange, if any. */
  fault: z.record(z.string(), z.unknown()).nullable().default(null),
  durationMs: z.number().nonnegative(),
});
export type LicenseExchange = z.infer<typeof LicenseExchange>;

export const RunParams = z.record(z.string(), z.unknown());

export const RunMeta = z.object({
  id: z.string(),
  scenario: z.string(),
  params: RunParams,
  project: z.string(),
  createdAt: z.string(),
});
export type RunMeta = z.infer<typeof RunMeta>;

/**
 * What the test made of the run, stored with it: the picture check compares the frame the page drew
 * from the paused <video> with the clear rendition's at the same time in the same browser.
 */
export const PictureEvidence = z.object({
  kind: z.literal('picture'),
  /** How the frame was taken: drawn by the page onto a canvas (earlier records: a driver screenshot). */
  via: z.enum(['canvas', 'screenshot']).default('screenshot'),
  /** The reference scenario whose frame this was compared with (null for a reference itself). */
  referenceScenario: z.string().nullable(),
  referenceRun: z.string().nullable(),
  /** The reference frame's luma standard deviation: a blank reference cannot judge anything. */
  referenceStdDev: z.number().nullable().default(null),
  width: z.number().int().nonnegative(),
  height: z.number().int().nonnegative(),
  /** Mean absolute difference per RGB channel, 0-255; null when there was nothing to compare with. */
  meanAbsDiff: z.number().nullable(),
  maxAbsDiff: z.number().nullable(),
  /** Standard deviation of the frame's luma: near 0 means a blank (black) picture. */
  stdDev: z.number(),
  threshold: z.number(),
});
/** The driver lost the page before it reported: its renderer crashed, or it never finished in time. */
export const PageLostEvidence = z.object({
  kind: z.literal('page-lost'),
  reason: z.enum(['crash', 'timeout']),
  detail: z.string().max(2000),
});
export const Evidence = z.discriminatedUnion('kind', [PictureEvidence, PageLostEvidence]);
export type Evidence = z.infer<typeof Evidence>;

export const JoinedEntry = z.union([
  entrySchema({ source: z.literal('page') }),
  LicenseExchange.extend({ source: z.literal('server') }),
]);
export type JoinedEntry = z.infer<typeof JoinedEntry>;

export const RunRecord = z.object({
  meta: RunMeta,
  finished: z.boolean(),
  /** running: the page may still report; incomplete: the server stopped (or closed the run) before the page reported — decided when the record is read. */
  status: z.enum(['running', 'finished', 'incomplete']).default('running'),
  page: PageTimeline.nullable(),
  exchanges: z.array(LicenseExchange),
  evidence: z.array(Evidence).default([]),
  joined: z.array(JoinedEntry),
});
export type RunRecord = z.infer<typeof RunRecord>;

/**
 * Joins the two witnesses: each server exchange goes right after the page entry that sent it;
 * exchanges the page never claimed (a request from elsewhere, or a page that died) go last, in
 * arrival order.
 */
export function joinTimeline(page: PageTimeline | null, exchanges: LicenseExchange[]): JoinedEntry[] {
  const bySeq = new Map<number, LicenseExchange[]>();
  const unclaimed: LicenseExchange[] = [];
  const pageSeqs = new Set((page?.entries ?? []).map((e) => e.seq));
  for (const x of exchanges) {
    if (x.pageSeq !== null && pageSeqs.has(x.pageSeq)) {
      const list = bySeq.get(x.pageSeq) ?? [];
      list.push(x);
      bySeq.set(x.pageSeq, list);
    } else {
      unclaimed.push(x);
    }
  }
  const joined: JoinedEntry[] = [];
  const entries = [...(page?.entries ?? [])].sort((a, b) => a.seq - b.seq);
  for (const entry of entries) {
    joined.push({ ...entry, source: 'page' });
    for (const x of bySeq.get(entry.seq) ?? []) joined.push({ ...x, source: 'server' });
  }
  for (const x of unclaimed) joined.push({ ...x, source: 'server' });
  return joined;
}
