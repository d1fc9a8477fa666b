// The page ⇄ judge contract (model/record.ts, model/notes.ts, model/page-data.ts): page entries are a
// closed union checked when a page uploads its timeline. What real pages recorded passes; each note a
// page module writes is registered with its data; anything else is refused, naming where.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { NOTE_NAMES } from '../../model/notes.ts';
import { PageEntry, PageTimeline } from '../../model/record.ts';

const state = { currentTime: 1.002, readyState: 4, paused: false, networkState: 2 };
const probe = {
  keySystem: 'com.widevine.alpha',
  initDataType: 'cenc',
  sessionType: 'temporary',
  encryptionScheme: 'absent',
};
const entry = (fields: Record<string, unknown>) => ({ seq: 7, t: 12.5, ...fields });

function pageSources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory()
      ? pageSources(join(dir, d.name))
      : d.name.endsWith('.js') || d.name.endsWith('.html')
        ? [join(dir, d.name)]
        : [],
  );
}

test('every timeline real browsers recorded (tests/fixtures) passes the upload schema', () => {
  const dir = new URL('../fixtures/', import.meta.url);
  const names = readdirSync(dir).filter((f) => f.endsWith('.record.json'));
  assert.ok(names.length >= 15);
  for (const name of names) {
    const { page } = JSON.parse(readFileSync(new URL(name, dir), 'utf8')) as { page: unknown };
    if (page === null) continue;
    const parsed = PageTimeline.safeParse(page);
    assert.ok(parsed.success, `${name}: ${parsed.success ? '' : z.prettifyError(parsed.error)}`);
  }
});

test('entries pages write that no fixture holds pass as the page code writes them', () => {
  const written = [
    {
      type: 'note',
      target: 'navigator',
      name: 'call-timeout',
      data: { of: 3, call: 'requestMediaKeySystemAccess', timeoutMs: 3000 },
    },
    {
      type: 'note',
      target: 'runner',
      name: 'probes-abandoned',
      data: { keySystem: probe.keySystem, after: probe, reason: 'a call did not settle within 3000 ms' },
    },
    {
      type: 'note',
      target: 'video',
      name: 'picture-not-ready',
      data: { selector: 'video', presentedMediaTime: null, state },
    },
    { type: 'note', target: 'runner', name: 'hanging-on-purpose', data: {} },
    { type: 'note', target: 's1', name: 'wait-timeout', data: { waitingFor: 'message #1', timeoutMs: 5000 } },
    {
      type: 'note',
      target: 'video',
      name: 'wait-timeout',
      data: { waitingFor: 'waitingforkey', timeoutMs: 5000, state },
    },
    {
      type: 'note',
      target: 'runner',
      name: 'end',
      data: { status: 'harness-error', reason: 'TypeError: x is undefined' },
    },
    { type: 'event', target: 'video', name: 'ended', data: { state } },
    { type: 'event', target: 'video2', name: 'stalled', data: { state } },
    { type: 'event', target: 'video', name: 'error', data: { code: null, message: '', state } },
    {
      type: 'license',
      target: 's1',
      name: 'response',
      of: 6,
      error: { name: 'AbortError', message: 'aborted' },
      data: { failure: 'timeout', timeoutMs: 2000 },
    },
    {
      type: 'promise',
      target: 's1',
      name: 'closed',
      outcome: 'rejected',
      error: { name: 'InvalidStateError', message: 'x' },
    },
    {
      type: 'call',
      target: 'navigator',
      name: 'requestMediaKeySystemAccess',
      args: ['org.w3.clearkey', []],
      data: { probe },
    },
  ];
  for (const e of written) {
    const parsed = PageEntry.safeParse(entry(e));
    assert.ok(parsed.success, `${e.type} ${e.name}: ${parsed.success ? '' : z.prettifyError(parsed.error)}`);
  }
});

test('every note a page writes is in the note registry, and the registry lists no note no page writes', () => {
  const written = new Set<string>();
  for (const file of pageSources('pages')) {
    const source = readFileSync(file, 'utf8');
    for (const m of source.matchAll(/\.note\(\s*[^,]+,\s*([^,]+),/g))
      for (const q of m[1]!.matchAll(/'([\w-]+)'/g)) written.add(q[1]!);
    for (const m of source.matchAll(/type: 'note',[^}]*?name: '([\w-]+)'/g)) written.add(m[1]!);
  }
  assert.ok(written.size >= 15, `found ${written.size} note names in pages/`);
  assert.deepEqual(
    [...written].filter((n) => !NOTE_NAMES.includes(n as never)).sort(),
    [],
    'notes pages write that the registry lacks',
  );
  assert.deepEqual(NOTE_NAMES.filter((n) => !written.has(n)).sort(), [], 'registered notes no page writes');
});

test('the upload refuses what is not in the contract, and says where', () => {
  const refused = (e: Record<string, unknown>, path: string) => {
    const parsed = PageTimeline.safeParse({
      entries: [entry(e)],
      outcome: { status: 'completed' },
      environment: { userAgent: 'u', isSecureContext: true, origin: 'o', emeApi: {} },
    });
    assert.equal(parsed.success, false, `accepted ${JSON.stringify(e)}`);
    assert.ok(
      !parsed.success && parsed.error.issues.some((i) => i.path.join('.').startsWith(path)),
      `${JSON.stringify(e)}: ${!parsed.success && z.prettifyError(parsed.error)}`,
    );
  };
  refused({ type: 'note', target: 'runner', name: 'no-such-note', data: {} }, 'entries.0.name');
  refused(
    { type: 'note', target: 'runner', name: 'start', data: { scenario: 'x', module: 'x', params: {} } },
    'entries.0.data.keyIds',
  );
  refused({ type: 'note', target: 'runner', name: 'count-window', data: { update: 3 } }, 'entries.0.data.update');
  refused({ type: 'note', target: 'runner', name: 'retry' }, 'entries.0.data');
  refused({ type: 'call', target: 's1', name: 'close', args: [], outcome: 'resolved' }, 'entries.0.outcome');
  refused({ type: 'result', target: 's1', name: 'close', outcome: 'resolved' }, 'entries.0.of');
  refused({ type: 'event', target: 's1', name: 'keystatuseschange', data: { x: 1 } }, 'entries.0.data');
  refused(
    { type: 'event', target: 's1', name: 'message', data: { messageType: 'license-request' } },
    'entries.0.data.message',
  );
  refused({ type: 'event', target: 'video', name: 'no-such-event', data: { state } }, 'entries.0.name');
  refused({ type: 'promise', target: 's1', name: 'closed', outcome: 'returned' }, 'entries.0.outcome');
  refused(
    {
      type: 'license',
      target: 's1',
      name: 'request',
      data: { url: '/license/x', messageType: 'license-request', bytes: 10, forMessage: -1 },
    },
    'entries.0.data.forMessage',
  );
  refused({ type: 'nothing', target: 's1', name: 'x' }, 'entries.0.type');
  assert.equal(
    PageTimeline.safeParse({
      entries: [],
      outcome: { status: 'completed' },
      environment: { userAgent: 'u', isSecureContext: true, origin: 'o', emeApi: {} },
      extra: 1,
    }).success,
    false,
  );
});
