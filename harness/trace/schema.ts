// The shapes of a trace: what the injected tracer sends from each document (pages/js/tracer/tracer.js),
// and the per-browser trace report `eme-compat trace` writes and reads back. The timeline inside a
// report is the runner pages' PageTimeline (model/record.ts), so the judge's session model, the
// timeline text and the cross-browser sequence diff read a trace as they read a scenario run.
import { z } from 'zod';
import { BrowserIdentity } from '../../model/browser.ts';
import { RunRecord } from '../../model/record.ts';

export const TRACE_SCHEMA_VERSION = 1 as const;

/** The name of the driver binding the tracer sends through. */
export const TRACE_SINK = '__emeCompatTrace__';

const DocId = z.string().min(1).max(64);

export const DocumentMessage = z.strictObject({
  kind: z.literal('document'),
  doc: DocId,
  url: z.string().max(4000),
  top: z.boolean(),
  origin: z.string().max(500),
  isSecureContext: z.boolean(),
  userAgent: z.string().max(1000),
  emeApi: z.record(z.string(), z.string()),
  timeOrigin: z.number(),
});
export type DocumentMessage = z.infer<typeof DocumentMessage>;

/** One timeline entry as a document numbered it (`entry.seq` is per document) and when (absolute ms). */
export const EntryMessage = z.strictObject({
  kind: z.literal('entry'),
  doc: DocId,
  at: z.number(),
  entry: z.looseObject({ seq: z.number().int().nonnegative() }),
});
export type EntryMessage = z.infer<typeof EntryMessage>;

export const WarningMessage = z.strictObject({ kind: z.literal('warning'), doc: DocId, message: z.string().max(2000) });

export const TraceMessage = z.discriminatedUnion('kind', [DocumentMessage, EntryMessage, WarningMessage]);
export type TraceMessage = z.infer<typeof TraceMessage>;

/** A document the page loaded (the main page, a frame, a page navigated to), and its label prefix. */
export const TracedDocument = z.strictObject({
  /** '' for the main document; 'd2-', 'd3-'… for the others that made EME calls, '-' when none did. */
  prefix: z.string(),
  url: z.string(),
  origin: z.string(),
  top: z.boolean(),
  isSecureContext: z.boolean(),
  entries: z.number().int().nonnegative(),
});
export type TracedDocument = z.infer<typeof TracedDocument>;

/** How the wait ended: the --until condition held, the --until-event came, or the time ran out. */
export const WaitSpec = z.strictObject({
  until: z.string().nullable(),
  untilEvent: z.string().nullable(),
  timeoutMs: z.number().int().positive(),
  settleMs: z.number().int().nonnegative(),
  script: z.string().nullable(),
});
export type WaitSpec = z.infer<typeof WaitSpec>;

/**
 * traced: the tracer ran and the page was watched to the end of the wait (the timeline says what it did);
 * not-traceable: the driver cannot run a script before the page's own (WebDriver classic);
 * failed: the browser did not start, the URL did not load, or the user script threw.
 */
export const TraceStatus = z.enum(['traced', 'not-traceable', 'failed']);
export type TraceStatus = z.infer<typeof TraceStatus>;

export const TraceReport = z.strictObject({
  schemaVersion: z.literal(TRACE_SCHEMA_VERSION),
  kind: z.literal('eme-trace'),
  url: z.string(),
  project: z.string(),
  browser: BrowserIdentity.nullable(),
  status: TraceStatus,
  /** Why, for anything but a clean trace; what ended the wait otherwise. */
  reason: z.string(),
  /** The wait condition held (false: it timed out, or the trace failed before it). */
  conditionMet: z.boolean(),
  startedAt: z.string(),
  durationMs: z.number().nonnegative(),
  wait: WaitSpec,
  documents: z.array(TracedDocument),
  /** What the tracer could not do (a member it could not wrap, an entry the schema refused). */
  warnings: z.array(z.string()),
  /** EME calls seen (requestMediaKeySystemAccess and everything it led to). */
  emeCalls: z.number().int().nonnegative(),
  /** The page's timeline as a run record (scenario 'trace'), so run readers take it as it is. */
  record: RunRecord.nullable(),
});
export type TraceReport = z.infer<typeof TraceReport>;
