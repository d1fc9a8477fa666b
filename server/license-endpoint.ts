// POST /license/:runId, the Clear Key license endpoint, on plain node:http. It is the one hot path
// (every license a browser asks for, and the load benchmark), and Express 5's routing alone costs
// ~5x a bare server here; the rest of the API stays on Express. Same rules as every endpoint:
// validated input, 4xx JSON errors, the exchange recorded before the answer leaves.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { LicenseExchange } from '../model/record.ts';
import { ClearKeyError, answerMessage, parseMessage } from './clearkey.ts';
import { faultyAnswer } from './faults.ts';
import { findProfile, forwardLicense, type LicenseProfiles } from './license-proxy.ts';
import { drainAndClose, HttpError, toErrorResponse } from './http-errors.ts';
import type { KeyStore } from '../model/keystore.ts';
import { RUN_ID, type RunStore } from './run-store.ts';
import { RunClosedError } from './store-errors.ts';
import { readBody } from './body.ts';

export const LICENSE_BODY_LIMIT = 64 * 1024;
export const LICENSE_PATH = /^\/license\/([^/?]*)(?:\?(.*))?$/;
const MESSAGE_TYPES = new Set(['license-request', 'license-renewal', 'license-release', 'individualization-request']);
const SESSION_LABEL = /^[\w-]{1,32}$/;
const MAX_RECORDED_JSON_DEPTH = 32;

function depthWithin(value: unknown, limit: number): boolean {
  if (limit < 0) return false;
  if (value === null || typeof value !== 'object') return true;
  return Object.values(value as object).every((v) => depthWithin(v, limit - 1));
}

/** The body as JSON for the record, when it is JSON of sane depth (a hostile 20 000-deep array is kept only as bytes). */
export function jsonForRecord(bytes: Buffer): unknown {
  try {
    const value: unknown = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
    return depthWithin(value, MAX_RECORDED_JSON_DEPTH) ? value : undefined;
  } catch {
    return undefined;
  }
}

/** What every exchange record starts with: its number, who sent it, and the message exactly as it arrived. */
function exchangeHead(
  exchange: number,
  pageSeq: number | null,
  query: LicenseQuery,
  req: IncomingMessage,
  body: Buffer,
) {
  return {
    exchange,
    pageSeq,
    session: query.session,
    messageType: query.messageType,
    receivedAt: new Date().toISOString(),
    request: {
      contentType: req.headers['content-type'] ?? null,
      size: body.length,
      base64: body.toString('base64'),
      json: jsonForRecord(body),
    },
  };
}

function sendJson(res: ServerResponse, status: number, body: Buffer | string): void {
  const bytes = typeof body === 'string' ? Buffer.from(body) : body;
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': bytes.length });
  res.end(bytes);
}

interface LicenseQuery {
  session: string | null;
  messageType: string | null;
  profile: string | null;
}

function parseQuery(search: string | undefined): LicenseQuery {
  const q = new URLSearchParams(search ?? '');
  for (const key of ['session', 'messageType', 'profile'])
    if (q.getAll(key).length > 1) throw new HttpError(400, 'repeated-query', `${key} may be given once`);
  const session = q.get('session');
  const messageType = q.get('messageType');
  const profile = q.get('profile');
  if (session !== null && !SESSION_LABEL.test(session))
    throw new HttpError(400, 'invalid-query', 'session must be a label of 1-32 word characters');
  if (messageType !== null && !MESSAGE_TYPES.has(messageType))
    throw new HttpError(400, 'invalid-query', `messageType must be one of ${[...MESSAGE_TYPES].join(', ')}`);
  if (profile !== null && !/^[\w-]{1,32}$/.test(profile))
    throw new HttpError(400, 'invalid-query', 'profile must be a license profile name');
  return { session, messageType, profile };
}

export interface LicenseEndpointOptions {
  store: RunStore;
  keys: KeyStore;
  /** Upstream license profiles for real DRM (proxy mode); Clear Key needs none. */
  profiles?: LicenseProfiles;
}

export function createLicenseHandler({ store, keys, profiles }: LicenseEndpointOptions) {
  /** Proxy mode: forward, record both sides, answer with the upstream's bytes unchanged. */
  async function proxy(
    req: IncomingMessage,
    res: ServerResponse,
    id: string,
    query: LicenseQuery,
    pageSeq: number | null,
    body: Buffer,
    started: number,
  ): Promise<void> {
    const name = query.profile!;
    const profile = findProfile(profiles, name);
    if (!profile)
      throw new HttpError(
        400,
        'unknown-profile',
        `no license profile "${name}"; the server has ${Object.keys(profiles?.profiles ?? {}).join(', ') || 'none (start it with --license-profiles)'}`,
      );
    const exchangeNumber = store.reserveExchange(id);
    const upstream = await forwardLicense(profile, body);
    const exchange: LicenseExchange = {
      ...exchangeHead(exchangeNumber, pageSeq, query, req, body),
      response: {
        status: upstream.status,
        body: jsonForRecord(upstream.body) ?? { base64: upstream.body.toString('base64'), bytes: upstream.body.length },
        delivery: 'answered',
      },
      proxy: {
        profile: name,
        keySystem: profile.keySystem,
        upstream: upstream.url,
        upstreamStatus: upstream.status,
        upstreamMs: Math.round(upstream.durationMs * 1000) / 1000,
        error: upstream.error,
      },
      fault: null,
      durationMs: Math.round((performance.now() - started) * 1000) / 1000,
    };
    await store.addExchange(id, exchange);
    if (upstream.error) {
      sendJson(
        res,
        upstream.status,
        JSON.stringify({
          error: upstream.errorCode ?? 'upstream-unreachable',
          message: upstream.error,
        }),
      );
      return;
    }
    res.writeHead(upstream.status, {
      'content-type': upstream.contentType ?? 'application/octet-stream',
      'content-length': upstream.body.length,
    });
    res.end(upstream.body);
  }

  async function handle(req: IncomingMessage, res: ServerResponse, match: RegExpExecArray): Promise<void> {
    const started = performance.now();
    let id: string;
    try {
      id = decodeURIComponent(match[1] ?? '');
    } catch {
      throw new HttpError(400, 'bad-run-id', 'the run id is not valid percent-encoding');
    }
    if (!RUN_ID.test(id))
      throw new HttpError(
        400,
        'bad-run-id',
        `run id must be a UUID as POST /api/runs returns it, got ${JSON.stringify(id.slice(0, 64))}`,
      );
    if (!store.isLive(id)) {
      if ((await store.lookup(id)) === 'closed') throw new RunClosedError(id);
      throw new HttpError(404, 'unknown-run', `no run with id ${id}`);
    }
    const query = parseQuery(match[2]);
    const rawSeq = req.headers['x-eme-page-seq'];
    if (rawSeq !== undefined && (typeof rawSeq !== 'string' || !/^\d{1,9}$/.test(rawSeq))) {
      throw new HttpError(400, 'bad-page-seq', 'x-eme-page-seq must be a non-negative integer');
    }
    const pageSeq = rawSeq === undefined ? null : Number(rawSeq);
    const body = await readBody(req, LICENSE_BODY_LIMIT, 'the license message');
    if (query.profile !== null) return proxy(req, res, id, query, pageSeq, body, started);
    const exchangeNumber = store.reserveExchange(id);

    let status: number;
    let answer: unknown;
    try {
      answer = answerMessage(parseMessage(body, query.messageType ?? undefined), keys).body;
      status = 200;
    } catch (err) {
      if (!(err instanceof ClearKeyError)) throw err;
      ({ status, body: answer } = toErrorResponse(err));
    }
    const rule = store.faults(id)?.for(query.messageType, pageSeq) ?? null;
    const fault = rule?.fault ?? null;
    const sent = fault ? faultyAnswer(fault, status, answer) : { status, body: Buffer.from(JSON.stringify(answer)) };
    const delivery = fault?.kind === 'reset' ? 'reset' : fault?.kind === 'hang' ? 'hang' : 'answered';
    if (fault?.kind === 'delay') await new Promise((r) => setTimeout(r, fault.ms));
    const exchange: LicenseExchange = {
      ...exchangeHead(exchangeNumber, pageSeq, query, req, body),
      response: {
        status: delivery === 'answered' ? sent.status : 0,
        // Without a fault the body is the answer itself; a faulty one is recorded as it was sent.
        body:
          delivery !== 'answered'
            ? null
            : !fault
              ? answer
              : (jsonForRecord(sent.body) ?? { unparsable: sent.body.toString('base64') }),
        delivery,
      },
      proxy: null,
      fault: rule ? { ...rule.fault, on: rule.on, nth: rule.nth, count: rule.count } : null,
      durationMs: Math.round((performance.now() - started) * 1000) / 1000,
    };
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
    sendJson(res, sent.status, sent.body);
  }

  /** Handles the request if it is a license POST; returns false to let the API have it. */
  return function license(req: IncomingMessage, res: ServerResponse): boolean {
    const match = LICENSE_PATH.exec(req.url ?? '');
    if (!match) return false;
    if (req.method !== 'POST') {
      res.setHeader('allow', 'POST');
      sendJson(
        res,
        405,
        JSON.stringify({ error: 'method-not-allowed', message: `${req.method} /license: only POST is answered` }),
      );
      drainAndClose(req, res);
      return true;
    }
    handle(req, res, match).catch((err: unknown) => {
      const { status, body } = toErrorResponse(err);
      if (status >= 500) console.error(`[server] /license answered ${status}:`, (err as Error).message);
      if (!res.headersSent && !res.destroyed) sendJson(res, status, JSON.stringify(body));
      // Drain what the client is still sending, so it reads the error instead of a reset.
      drainAndClose(req, res);
    });
    return true;
  };
}
