// Every failure leaves the server as a JSON body {error, message, ...detail} with a 4xx status for
// bad input; nothing leaks a stack trace or an HTML page.
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { z } from 'zod';
import { ClearKeyError } from './clearkey.ts';
import { UnknownRunError } from './run-store.ts';

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

export const jsonErrorHandler: ErrorRequestHandler = (err, _req, res, _next) => {
  const { status, body } = toErrorResponse(err);
  if (status >= 500) console.error('[server] internal error:', err);
  if (res.headersSent) return;
  res.status(status).json(body);
};

export const notFound: RequestHandler = (req, res) => {
  res.status(404).json({ error: 'not-found', message: `no route for ${req.method} ${req.path}` });
};
