// The run engine's client of the harness server's run API: register a run, wait for its record, add
// evidence. Every record that comes back is validated as a RunRecord; an HTTP error becomes an Error
// naming the request and the server's message.
import { RunRecord, type Evidence } from '../../model/record.ts';

async function api<T>(url: string, init?: RequestInit): Promise<T> {
  const response = await fetch(url, init);
  const body = (await response.json().catch(() => null)) as T & { message?: string };
  if (!response.ok) throw new Error(`${init?.method ?? 'GET'} ${url}: HTTP ${response.status} ${body?.message ?? ''}`);
  return body;
}

const postJson = (body: unknown): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

const runUrl = (baseURL: string, runId: string) => `${baseURL}/api/runs/${runId}`;

/** POST /api/runs: registers a run of `scenario` and returns its id. */
export async function registerRun(
  baseURL: string,
  run: { scenario: string; project: string; params: Record<string, unknown> },
): Promise<string> {
  const created = await api<{ id: string }>(`${baseURL}/api/runs`, postJson(run));
  return created.id;
}

/** GET /api/runs/:id/record?wait=: the record once the page has reported, or as it is after `waitMs`. */
export async function waitForRecord(
  baseURL: string,
  runId: string,
  waitMs: number,
  signal?: AbortSignal,
): Promise<RunRecord> {
  return RunRecord.parse(await api(`${runUrl(baseURL, runId)}/record?wait=${waitMs}`, signal ? { signal } : undefined));
}

/** GET /api/runs/:id/record: the record as it is now. */
export async function readRecord(baseURL: string, runId: string): Promise<RunRecord> {
  return RunRecord.parse(await api(`${runUrl(baseURL, runId)}/record`));
}

/** POST /api/runs/:id/evidence: stores what was seen from outside the page; answers the updated record. */
export async function postEvidence(baseURL: string, runId: string, evidence: Evidence): Promise<RunRecord> {
  return RunRecord.parse(await api(`${runUrl(baseURL, runId)}/evidence`, postJson(evidence)));
}
