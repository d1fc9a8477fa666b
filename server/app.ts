// The harness server: static pages and media, the Clear Key license endpoint, and the run recorder.
import express, { type Request } from 'express';
import { resolve } from 'node:path';
import { z } from 'zod';
import { Evidence, PageTimeline, type LicenseExchange } from '../harness/record.ts';
import { findScenario } from '../harness/catalog.ts';
import { answerMessage, parseMessage, ClearKeyError } from './clearkey.ts';
import type { KeyStore } from './keystore.ts';
import { RUN_ID, type RunStore } from './run-store.ts';
import { HttpError, jsonErrorHandler, notFound, toErrorResponse } from './http-errors.ts';
import { FaultRules, RunFaults, faultyAnswer } from './faults.ts';

export interface AppOptions {
  store: RunStore;
  keys: KeyStore;
  pagesDir?: string;
  mediaDir?: string;
}

export const LIMITS = {
  licenseBody: 64 * 1024,
  timelineBody: 8 * 1024 * 1024,
  maxWaitMs: 120_000,
} as const;

const MESSAGE_TYPES = ['license-request', 'license-renewal', 'license-release', 'individualization-request'] as const;

const CreateRun = z.strictObject({
  scenario: z.string().min(1).max(128),
  params: z.record(z.string(), z.unknown()).default({}),
  project: z.string().min(1).max(128).regex(/^[\w.+-]+$/, 'letters, digits, . _ + - only'),
});

const LicenseQuery = z.object({
  session: z.string().regex(/^[\w-]{1,32}$/, 'a session label of 1-32 word characters').optional(),
  messageType: z.enum(MESSAGE_TYPES).optional(),
});

const WaitQuery = z.object({
  wait: z.coerce.number().int().min(0).max(LIMITS.maxWaitMs).default(0),
});

function runIdParam(req: Request): string {
  const id = req.params['runId'];
  if (typeof id !== 'string' || !RUN_ID.test(id)) {
    throw new HttpError(400, 'bad-run-id', `run id must be a UUID as POST /api/runs returns it, got ${JSON.stringify(id)}`);
  }
  return id;
}

function pageSeqHeader(req: Request): number | null {
  const raw = req.get('x-eme-page-seq');
  if (raw === undefined) return null;
  if (!/^\d{1,9}$/.test(raw)) throw new HttpError(400, 'bad-page-seq', 'x-eme-page-seq must be a non-negative integer');
  return Number(raw);
}

const MAX_RECORDED_JSON_DEPTH = 32;

function depthWithin(value: unknown, limit: number): boolean {
  if (limit < 0) return false;
  if (value === null || typeof value !== 'object') return true;
  return Object.values(value as object).every((v) => depthWithin(v, limit - 1));
}

/** The body as JSON for the record, when it is JSON of sane depth (a hostile 20 000-deep array is kept only as bytes). */
function tryJson(bytes: Buffer): unknown {
  try {
    const value: unknown = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
    return depthWithin(value, MAX_RECORDED_JSON_DEPTH) ? value : undefined;
  } catch {
    return undefined;
  }
}

export function createApp(options: AppOptions): express.Express {
  const { store, keys } = options;
  const pagesDir = resolve(options.pagesDir ?? 'pages');
  const mediaDir = resolve(options.mediaDir ?? 'media');
  const app = express();
  // Per-run fault rules and how many matching messages each has seen.
  const faultState = new Map<string, RunFaults>();
  app.disable('x-powered-by');
  app.set('etag', false);

  app.get('/api/health', (_req, res) => {
    res.json({ ok: true, keys: keys.size });
  });

  app.post('/api/runs', express.json({ limit: '64kb' }), async (req, res) => {
    if (!req.is('application/json')) throw new HttpError(415, 'unsupported-media-type', 'send the run as application/json');
    const input = CreateRun.parse(req.body);
    const scenario = findScenario(input.scenario);
    if (!scenario) throw new HttpError(404, 'unknown-scenario', `no scenario with id ${JSON.stringify(input.scenario)}`);
    const faults = FaultRules.safeParse({ ...scenario.page.params, ...input.params }['faults'] ?? []);
    if (!faults.success) throw new HttpError(400, 'invalid-faults', `params.faults: ${z.prettifyError(faults.error)}`);
    const meta = await store.create(input);
    faultState.set(meta.id, new RunFaults(faults.data));
    res.status(201).json({ ...meta, runnerPath: `/runner.html?run=${meta.id}` });
  });

  // What the runner page needs to start: which page module, with which parameters.
  app.get('/api/runs/:runId', (req, res) => {
    const id = runIdParam(req);
    const meta = store.meta(id);
    if (!meta) throw new HttpError(404, 'unknown-run', `no run with id ${id}`);
    const scenario = findScenario(meta.scenario);
    res.json({ ...meta, module: scenario?.page.module, params: { ...scenario?.page.params, ...meta.params }, keyIds: keys.keyIds() });
  });

  app.post('/api/runs/:runId/timeline', express.json({ limit: LIMITS.timelineBody }), async (req, res) => {
    const id = runIdParam(req);
    if (!req.is('application/json')) throw new HttpError(415, 'unsupported-media-type', 'send the timeline as application/json');
    if (!store.has(id)) throw new HttpError(404, 'unknown-run', `no run with id ${id}`);
    const timeline = PageTimeline.parse(req.body);
    const result = await store.finish(id, timeline);
    if (result === 'already-finished') throw new HttpError(409, 'run-finished', `run ${id} already has its timeline, or was marked incomplete when the server restarted`);
    res.status(201).json({ stored: timeline.entries.length });
  });

  // What the test saw from outside the page (e.g. the picture check), kept with the run.
  app.post('/api/runs/:runId/evidence', express.json({ limit: '64kb' }), async (req, res) => {
    const id = runIdParam(req);
    if (!req.is('application/json')) throw new HttpError(415, 'unsupported-media-type', 'send evidence as application/json');
    if (!store.has(id)) throw new HttpError(404, 'unknown-run', `no run with id ${id}`);
    await store.addEvidence(id, Evidence.parse(req.body));
    res.status(201).json({ stored: true });
  });

  app.get('/api/runs/:runId/record', async (req, res) => {
    const id = runIdParam(req);
    const { wait } = WaitQuery.parse(req.query);
    res.json(await store.waitForFinish(id, wait));
  });

  // The Clear Key license endpoint. The body is the MediaKeyMessageEvent's message, byte for byte.
  app.post(
    '/license/:runId',
    express.raw({ type: () => true, limit: LIMITS.licenseBody }),
    async (req, res) => {
      const started = performance.now();
      const id = runIdParam(req);
      if (!store.has(id)) throw new HttpError(404, 'unknown-run', `no run with id ${id}`);
      const query = LicenseQuery.parse(req.query);
      const pageSeq = pageSeqHeader(req);
      const body: Buffer = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      const exchangeNumber = store.nextExchangeNumber(id);

      let status: number;
      let answer: unknown;
      try {
        answer = answerMessage(parseMessage(body, query.messageType), keys).body;
        status = 200;
      } catch (err) {
        if (!(err instanceof ClearKeyError)) throw err;
        ({ status, body: answer } = toErrorResponse(err));
      }
      const rule = faultState.get(id)?.for(query.messageType ?? null, pageSeq) ?? null;
      const fault = rule?.fault ?? null;
      const sent = fault ? faultyAnswer(fault, status, answer) : { status, body: Buffer.from(JSON.stringify(answer)) };
      const delivery = fault?.kind === 'reset' ? 'reset' : fault?.kind === 'hang' ? 'hang' : 'answered';
      if (fault?.kind === 'delay') await new Promise((r) => setTimeout(r, fault.ms));
      const exchange: LicenseExchange = {
        exchange: exchangeNumber,
        pageSeq,
        session: query.session ?? null,
        messageType: query.messageType ?? null,
        receivedAt: new Date().toISOString(),
        request: { contentType: req.get('content-type') ?? null, size: body.length, base64: body.toString('base64'), json: tryJson(body) },
        response: { status: delivery === 'answered' ? sent.status : 0, body: delivery === 'answered' ? (tryJson(sent.body) ?? { unparsable: sent.body.toString('base64') }) : null, delivery },
        fault: rule ? { ...rule.fault, on: rule.on, nth: rule.nth, count: rule.count } : null,
        durationMs: 0,
      };
      exchange.durationMs = Math.round((performance.now() - started) * 1000) / 1000;
      await store.addExchange(id, exchange);
      if (delivery === 'reset') {
        req.socket.destroy();
        return;
      }
      if (delivery === 'hang' && fault?.kind === 'hang') {
        // Bounded: the socket closes after the fault's time even if the client never gives up.
        const timer = setTimeout(() => req.socket.destroy(), fault.ms);
        req.socket.once('close', () => clearTimeout(timer));
        return;
      }
      res.status(sent.status).type('application/json').send(sent.body);
    },
  );

  // Only the media itself is served: the key store sits in media/ too, and an allow-list cannot be
  // walked around with ./, // or %-encoded names the way a block-list can.
  const mediaStatic = { fallthrough: true, dotfiles: 'deny', index: false } as const;
  app.use('/media/clear', express.static(resolve(mediaDir, 'clear'), mediaStatic));
  app.use('/media/encrypted', express.static(resolve(mediaDir, 'encrypted'), mediaStatic));
  app.get('/media/manifest.json', (_req, res, next) => res.sendFile(resolve(mediaDir, 'manifest.json'), (err) => err && next(err)));
  app.use(express.static(pagesDir, { fallthrough: true, dotfiles: 'deny' }));
  app.use(notFound);
  app.use(jsonErrorHandler);
  return app;
}
