// The data that crosses the boundaries of one run: what the page recorded, what the license endpoint
// saw, and the joined record both are judged from. Every shape here is validated where it enters
// (server endpoints, report reader), so the types below can be trusted once parsed.
import { z } from 'zod';

export const ErrorInfo = z.object({ name: z.string(), message: z.string() });
export type ErrorInfo = z.infer<typeof ErrorInfo>;

// expiration is a double that is NaN for Clear Key; JSON cannot carry NaN, so it travels as the string.
export const Expiration = z.union([z.number(), z.literal('NaN'), z.null()]);

export const SessionSnapshot = z.object({
  sessionId: z.string(),
  expiration: Expiration,
  // MediaKeyStatusMap, keyed by lower-case hex key id.
  keyStatuses: z.record(z.string(), z.string()),
  size: z.number().int().nonnegative(),
});
export type SessionSnapshot = z.infer<typeof SessionSnapshot>;

export const EntryType = z.enum(['call', 'result', 'event', 'promise', 'note', 'license']);
export type EntryType = z.infer<typeof EntryType>;

/** One line of the page's timeline (an eme_logger-style record plus sequence numbers). */
export const PageEntry = z.object({
  seq: z.number().int().nonnegative(),
  /** milliseconds since the runner started, from performance.now() (monotonic). */
  t: z.number().nonnegative(),
  type: EntryType,
  /** 'navigator', 'access', 'mediaKeys', a session label such as 's1', 'video', 'runner'. */
  target: z.string().max(64),
  /** method, event, promise or note name. */
  name: z.string().max(128),
  args: z.array(z.unknown()).optional(),
  /** for type 'result': the seq of the 'call' it settles. */
  of: z.number().int().nonnegative().optional(),
  outcome: z.enum(['resolved', 'rejected', 'returned', 'threw']).optional(),
  value: z.unknown().optional(),
  error: ErrorInfo.optional(),
  duration: z.number().nonnegative().optional(),
  session: SessionSnapshot.optional(),
  data: z.record(z.string(), z.unknown()).optional(),
});
export type PageEntry = z.infer<typeof PageEntry>;

export const RunOutcome = z.object({
  /** completed: every step ran; stopped: a browser step failed (judged by rules);
   *  precondition-failed: the feature under test is absent; harness-error: our code broke. */
  status: z.enum(['completed', 'stopped', 'precondition-failed', 'harness-error']),
  reason: z.string().max(4000).optional(),
});
export type RunOutcome = z.infer<typeof RunOutcome>;

export const PageEnvironment = z.object({
  userAgent: z.string().max(1000),
  isSecureContext: z.boolean(),
  origin: z.string().max(500),
  emeApi: z.record(z.string(), z.string()),
});
export type PageEnvironment = z.infer<typeof PageEnvironment>;

export const PageTimeline = z.object({
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
  proxy: z.object({ profile: z.string(), keySystem: z.string(), upstream: z.string(), upstreamStatus: z.number().int(), upstreamMs: z.number(), error: z.string().nullable() }).nullable().default(null),
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
 * What the test observed from outside the page, stored with the run: the picture check compares a
 * screenshot of the paused <video> with the clear rendition's at the same time in the same browser.
 */
export const PictureEvidence = z.object({
  kind: z.literal('picture'),
  /** The reference scenario whose frame this was compared with (null for a reference itself). */
  referenceScenario: z.string().nullable(),
  referenceRun: z.string().nullable(),
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
  PageEntry.extend({ source: z.literal('page') }),
  LicenseExchange.extend({ source: z.literal('server') }),
]);
export type JoinedEntry = z.infer<typeof JoinedEntry>;

export const RunRecord = z.object({
  meta: RunMeta,
  finished: z.boolean(),
  /** running: the page may still report; incomplete: the server stopped before it did (found at restart). */
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
