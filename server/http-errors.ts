// Every failure leaves the server as a JSON body {error, message, ...detail} with a 4xx status for
// bad input; nothing leaks a stack trace or an HTML page.
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { z } from 'zod';
import { ClearKeyError } from './clearkey.ts';
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  RecordTooLargeError,
  RunClosedError,
  RunFullError,
  StoreStoppingError,
  StoreWriteError,
  UnknownRunError,
} from './store-errors.ts';

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly detail?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

/** The client closed the connection while its answer was being streamed: nothing to answer, nothing to log. */
export class ClientGoneError extends Error {
  constructor() {
    super('the client went away');
    this.name = 'ClientGoneError';
  }
}

export interface ErrorBody {
  error: string;
  message: string;
  [detail: string]: unknown;
}

/** Maps any thrown value to the status and JSON body the client gets. */
export function toErrorResponse(err: unknown): { status: number; body: ErrorBody } {
  if (err instanceof HttpError)
    return { status: err.status, body: { error: err.code, message: err.message, ...err.detail } };
  if (err instanceof ClearKeyError)
    return { status: err.status, body: { error: err.code, message: err.message, ...err.detail } };
  if (err instanceof UnknownRunError) return { status: 404, body: { error: 'unknown-run', message: err.message } };
  if (err instanceof RunClosedError) return { status: 409, body: { error: 'run-closed', message: err.message } };
  if (err instanceof RunFullError) return { status: 409, body: { error: 'run-full', message: err.message } };
  if (err instanceof RecordTooLargeError)
    return { status: 422, body: { error: 'record-too-large', message: err.message, size: err.size, limit: err.limit } };
  // The server's own faults, said as such: the request was not recorded, so it may be sent again.
  if (err instanceof StoreWriteError)
    return { status: 503, body: { error: 'record-write-failed', message: err.message } };
  if (err instanceof StoreStoppingError) return { status: 503, body: { error: 'shutting-down', message: err.message } };
  if (err instanceof z.ZodError) {
    return {
      status: 400,
      body: {
        error: 'invalid-body',
        message: z.prettifyError(err),
        issues: err.issues.slice(0, 20).map((i) => ({ path: i.path.join('.'), message: i.message })),
      },
    };
  }
  // body-parser errors carry `type` and `status`; their messages are safe to show.
  const e = err as { type?: unknown; status?: unknown; message?: unknown };
  if (typeof e?.type === 'string' && typeof e.status === 'number' && e.status >= 400 && e.status < 500) {
    const codes: Record<string, string> = {
      'entity.parse.failed': 'malformed-json',
      'entity.too.large': 'body-too-large',
      'encoding.unsupported': 'unsupported-encoding',
      'charset.unsupported': 'unsupported-charset',
      'request.aborted': 'request-aborted',
      'request.size.invalid': 'body-size-mismatch',
    };
    return { status: e.status, body: { error: codes[e.type] ?? e.type, message: String(e.message) } };
  }
  // Other client errors from Express's own middleware (static files: 403 for dotfiles, 400 for a
  // malformed path) carry a 4xx status and a message meant to be shown.
  const status =
    (err as { status?: unknown; statusCode?: unknown })?.status ?? (err as { statusCode?: unknown })?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return { status, body: { error: `http-${status}`, message: String(e?.message ?? 'bad request') } };
  }
  return { status: 500, body: { error: 'internal-error', message: 'the server failed; see its log' } };
}

export const jsonErrorHandler: ErrorRequestHandler = (err, req, res, _next) => {
  if (err instanceof ClientGoneError) {
    res.destroy();
    return;
  }
  const { status, body } = toErrorResponse(err);
  if (status === 500) console.error('[server] internal error:', err);
  else if (status >= 500) console.error(`[server] answered ${status}: ${(err as Error).message}`);
  // A streamed answer that failed part-way cannot become an error answer: cut it, so it is not taken as whole.
  if (res.headersSent) {
    res.destroy();
    return;
  }
  if (res.destroyed) return;
  res.status(status).json(body);
  drainAndClose(req, res);
};

export const notFound: RequestHandler = (req, res) => {
  res.status(404).json({ error: 'not-found', message: `no route for ${req.method} ${req.path}` });
};

/** How much of a refused body is read and dropped, so the client gets its answer instead of a reset. */
const DRAIN_BYTES = 16 * 1024 * 1024;
const DRAIN_MS = 5_000;

/**
 * After an error answer to a request whose body is still arriving: read and drop what follows (up to a
 * bound), so the client, still writing, reads the answer rather than a reset; then close the connection.
 */
export function drainAndClose(req: IncomingMessage, res: ServerResponse): void {
  if (req.complete) return;
  res.shouldKeepAlive = false;
  let dropped = 0;
  const timer = setTimeout(() => req.socket.destroy(), DRAIN_MS);
  timer.unref();
  req.on('data', (chunk: Buffer) => {
    dropped += chunk.length;
    if (dropped > DRAIN_BYTES) req.socket.destroy();
  });
  req.once('end', () => clearTimeout(timer));
  req.socket.once('close', () => clearTimeout(timer));
  req.resume();
}
