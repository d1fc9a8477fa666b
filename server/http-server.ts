// The node:http(s) servers around the harness listener, with the parts a listener cannot do: caps on
// slow headers and slow bodies, and JSON answers where node would answer with an empty body or not at
// all (parse errors, oversized headers, timeouts, an unmet Expect, CONNECT).
import { STATUS_CODES, createServer, type RequestListener, type Server } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { Duplex } from 'node:stream';

export const TIMEOUTS = {
  /** The whole header block must arrive within this. */
  headersMs: 10_000,
  /** The whole request, body included, must arrive within this (answers may take longer: long polls). */
  requestMs: 30_000,
  keepAliveMs: 5_000,
  /** How often node checks the two above. */
  checkEveryMs: 1_000,
} as const;

export type Timeouts = { [K in keyof typeof TIMEOUTS]: number };

function serverOptions(t: Timeouts) {
  return {
    headersTimeout: t.headersMs,
    requestTimeout: t.requestMs,
    keepAliveTimeout: t.keepAliveMs,
    connectionsCheckingInterval: t.checkEveryMs,
    // The origin policy answers a missing Host itself, with JSON (node's own answer has no body).
    requireHostHeader: false,
  };
}

/** A raw JSON error answer on a socket no ServerResponse is writing to, then the socket closes. */
function answerRaw(socket: Duplex, status: number, error: string, message: string): void {
  const body = JSON.stringify({ error, message });
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
}

const CLIENT_ERRORS: Record<string, [number, string, string]> = {
  HPE_HEADER_OVERFLOW: [431, 'headers-too-large', 'the request headers are too large'],
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'request-timeout', 'the request did not arrive in time'],
  HPE_INVALID_METHOD: [405, 'unknown-method', 'the request method is not one this server knows'],
};

/** Installs the JSON answers for what node's parser rejects, and refuses CONNECT. */
export function hardenServer(server: Server | HttpsServer, t: Timeouts = TIMEOUTS): void {
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    // A response already under way (a slow client mid-answer) cannot take a second status line.
    const current = (socket as unknown as { _httpMessage?: { headersSent?: boolean } })._httpMessage;
    if (err.code === 'ECONNRESET' || !socket.writable || current?.headersSent) {
      socket.destroy();
      return;
    }
    const [status, error, text] = CLIENT_ERRORS[err.code ?? ''] ?? [
      400,
      'bad-request',
      `the request could not be parsed (${err.code ?? 'parse error'})`,
    ];
    const limits =
      status === 408 ? ` (headers within ${t.headersMs} ms, the whole request within ${t.requestMs} ms)` : '';
    answerRaw(socket, status, error, text + limits);
  });
  // Expect other than 100-continue: node would answer an empty 417.
  server.on('checkExpectation', (req, res) => {
    const body = JSON.stringify({
      error: 'expectation-failed',
      message: `Expect: ${String(req.headers.expect).slice(0, 60)} is not supported (only 100-continue)`,
    });
    res.writeHead(417, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(body),
      connection: 'close',
    });
    res.end(body);
  });
  server.on('connect', (_req, socket: Duplex) => {
    answerRaw(socket, 405, 'method-not-allowed', 'CONNECT: this server is not a proxy');
  });
}

/** The plain-HTTP server of the harness. */
export function createHarnessServer(listener: RequestListener, t: Timeouts = TIMEOUTS): Server {
  const server = createServer(serverOptions(t), listener);
  hardenServer(server, t);
  return server;
}

/** The HTTPS server of the harness (the second origin). */
export function createHarnessHttpsServer(
  tls: { key: string; cert: string },
  listener: RequestListener,
  t: Timeouts = TIMEOUTS,
): HttpsServer {
  const server = createHttpsServer({ ...serverOptions(t), ...tls }, listener);
  hardenServer(server, t);
  return server;
}
