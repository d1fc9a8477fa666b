// A generated corpus of hostile requests for every endpoint: wrong methods, content types, bodies
// (random bytes, invalid UTF-8, deep and huge JSON, wrong field types, prototype keys), ids, query
// strings, headers and paths. Deterministic: a seeded PRNG, so a failure can be reproduced by index.

export interface HostileCase {
  name: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
}

function prng(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 0x100000000;
  };
}

const CONTENT_TYPES = [
  'application/json',
  'text/plain',
  'application/octet-stream',
  'application/json; charset=utf-16',
  'multipart/form-data; boundary=x',
  'application/x-www-form-urlencoded',
  '',
];

function jsonBodies(rand: () => number): [string, Buffer][] {
  const deep = (n: number) => '['.repeat(n) + ']'.repeat(n);
  const bodies: [string, unknown][] = [
    ['null', null],
    ['number', 42],
    ['string', 'x'],
    ['array', [1, 2]],
    ['empty-object', {}],
    ['proto', JSON.parse('{"__proto__":{"polluted":true},"constructor":{"prototype":{"x":1}}}')],
    ['scenario-number', { scenario: 7, project: 'p' }],
    ['scenario-array', { scenario: ['a'], project: 'p' }],
    ['project-unicode', { scenario: 'probe.clearkey', project: 'p\u0000\u202e' }],
    ['params-string', { scenario: 'probe.clearkey', project: 'p', params: 'x' }],
    [
      'faults-bad',
      { scenario: 'probe.clearkey', project: 'p', params: { faults: [{ fault: { kind: 'delay', ms: -1 } }] } },
    ],
    [
      'faults-huge-delay',
      { scenario: 'probe.clearkey', project: 'p', params: { faults: [{ fault: { kind: 'hang', ms: 10 ** 9 } }] } },
    ],
    ['entries-bad', { entries: [{ seq: 'a' }], outcome: {}, environment: {} }],
    ['entries-many-bad', { entries: Array.from({ length: 500 }, (_, i) => ({ seq: i })), outcome: { status: 'x' } }],
    ['kids-objects', { kids: [{}, [], null], type: 'temporary' }],
    ['kids-long', { kids: ['A'.repeat(5000)], type: 'temporary' }],
    ['evidence-bad', { kind: 'picture', width: -1 }],
  ];
  const out: [string, Buffer][] = bodies.map(([n, v]) => [n, Buffer.from(JSON.stringify(v))]);
  out.push(['deep-json', Buffer.from(deep(20_000))]);
  out.push(['truncated-json', Buffer.from('{"scenario":"probe.clearkey","pro')]);
  out.push(['invalid-utf8', Buffer.from([0x7b, 0x22, 0xc3, 0x28, 0x22, 0x3a, 0x31, 0x7d])]);
  out.push(['bom-json', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{}')])]);
  out.push(['big-number', Buffer.from('{"seq":1e400}')]);
  for (let i = 0; i < 6; i++) {
    const len = Math.floor(rand() ** 3 * 100_000);
    out.push([`random-${len}`, Buffer.from(Array.from({ length: len }, () => Math.floor(rand() * 256)))]);
  }
  return out;
}

const RUN_IDS = [
  'not-a-uuid',
  '00000000-0000-4000-8000-000000000000',
  '..%2f..%2fetc%2fpasswd',
  'a'.repeat(3000),
  '%00',
  '%E2%80%AE',
  '12345678-1234-1234-1234-1234567890ab%20',
];

export function hostileCorpus(validRunId: string, seed = 20261123): HostileCase[] {
  const rand = prng(seed);
  const cases: HostileCase[] = [];
  const bodies = jsonBodies(rand);
  const posts = [
    '/api/runs',
    `/api/runs/${validRunId}/timeline`,
    `/api/runs/${validRunId}/evidence`,
    `/license/${validRunId}`,
    `/license/${validRunId}?messageType=license-request`,
  ];
  for (const path of posts) {
    for (const [bodyName, body] of bodies) {
      const type = CONTENT_TYPES[Math.floor(rand() * CONTENT_TYPES.length)]!;
      cases.push({
        name: `POST ${path} ${bodyName} as ${type || 'no type'}`,
        method: 'POST',
        path,
        headers: type ? { 'content-type': type } : {},
        body,
      });
    }
    for (const type of CONTENT_TYPES)
      cases.push({
        name: `POST ${path} empty as ${type || 'no type'}`,
        method: 'POST',
        path,
        headers: type ? { 'content-type': type } : {},
        body: Buffer.alloc(0),
      });
  }
  for (const id of RUN_IDS) {
    for (const suffix of [
      '',
      '/record',
      '/record?wait=-5',
      '/record?wait=1e9',
      '/record?wait=abc&wait=2',
      '/timeline',
      '/evidence',
    ]) {
      cases.push({
        name: `GET /api/runs/${id}${suffix}`,
        method: 'GET',
        path: `/api/runs/${id}${suffix}`,
        headers: {},
      });
      cases.push({
        name: `POST /api/runs/${id}${suffix}`,
        method: 'POST',
        path: `/api/runs/${id}${suffix}`,
        headers: { 'content-type': 'application/json' },
        body: Buffer.from('{}'),
      });
    }
    cases.push({
      name: `POST /license/${id}`,
      method: 'POST',
      path: `/license/${id}`,
      headers: {},
      body: Buffer.from('{"kids":["AAAA"],"type":"temporary"}'),
    });
  }
  const queries = [
    'session=&messageType=',
    'session=a&session=b',
    'messageType[]=x',
    'messageType=license-request&messageType=license-release',
    `session=${'x'.repeat(100)}`,
    'session=%00',
    '__proto__[x]=1',
  ];
  for (const q of queries)
    cases.push({
      name: `license query ${q.slice(0, 40)}`,
      method: 'POST',
      path: `/license/${validRunId}?${q}`,
      headers: {},
      body: Buffer.from('{"kids":["AAAA"],"type":"temporary"}'),
    });
  for (const seq of ['-1', 'abc', '1e5', '99999999999', ' 1', '1,2']) {
    cases.push({
      name: `license x-eme-page-seq ${seq}`,
      method: 'POST',
      path: `/license/${validRunId}`,
      headers: { 'x-eme-page-seq': seq },
      body: Buffer.from('{"kids":["AAAA"],"type":"temporary"}'),
    });
  }
  const paths = [
    '/media/keys.json',
    '/media/KEYS.JSON',
    '/media/./keys.json',
    '/media//keys.json',
    '/media/%6beys.json',
    '/media/..%2fserver%2fapp.ts',
    '/..%2f..%2fetc%2fpasswd',
    '/media/%2e%2e/%2e%2e/etc/passwd',
    '/.git/HEAD',
    '/media/.hidden',
    '/%00',
    '/media/%00keys.json',
    '/js/../../package.json',
    '/js/%2e%2e%2f%2e%2e%2fpackage.json',
    `/${'a/'.repeat(500)}`,
    '/runner.html%00.js',
    '/api',
    '/api/',
    '/license',
    '/license/',
  ];
  for (const path of paths) cases.push({ name: `GET ${path.slice(0, 60)}`, method: 'GET', path, headers: {} });
  for (const method of ['PUT', 'DELETE', 'PATCH', 'OPTIONS', 'GET', 'PROPFIND', 'FOO', 'TRACE']) {
    for (const path of ['/api/runs', `/license/${validRunId}`, `/api/runs/${validRunId}`])
      cases.push({ name: `${method} ${path}`, method, path, headers: {} });
  }
  cases.push(...issue15Cases(validRunId));
  return cases;
}

const nested = (depth: number, leaf = '1') => '{"a":'.repeat(depth) + leaf + '}'.repeat(depth);
const TIMELINE_HEAD =
  '{"outcome":{"status":"completed"},"environment":{"userAgent":"u","isSecureContext":true,"origin":"o","emeApi":{}},"entries":';

/** Issue 15: deep bodies on every JSON route, repeated queries, prototype-named profiles, foreign hosts and origins. */
function issue15Cases(runId: string): HostileCase[] {
  const json = { 'content-type': 'application/json' };
  const license = Buffer.from('{"kids":["AAAA"],"type":"temporary"}');
  const cases: HostileCase[] = [
    {
      name: 'registration with params nested 4,500 deep',
      method: 'POST',
      path: '/api/runs',
      headers: json,
      body: Buffer.from(`{"scenario":"probe.clearkey","project":"p","params":${nested(4500)}}`),
    },
    {
      name: 'registration with params nested 17 deep',
      method: 'POST',
      path: '/api/runs',
      headers: json,
      body: Buffer.from(`{"scenario":"probe.clearkey","project":"p","params":${nested(17)}}`),
    },
    {
      name: 'timeline with an entry value nested 5,000 deep',
      method: 'POST',
      path: `/api/runs/${runId}/timeline`,
      headers: json,
      body: Buffer.from(
        `${TIMELINE_HEAD}[{"seq":0,"t":0,"type":"note","target":"page","name":"x","data":${nested(5000)}}]}`,
      ),
    },
    {
      name: 'evidence nested 100 deep',
      method: 'POST',
      path: `/api/runs/${runId}/evidence`,
      headers: json,
      body: Buffer.from(nested(100)),
    },
    {
      name: 'registration as JSON in UTF-16',
      method: 'POST',
      path: '/api/runs',
      headers: { 'content-type': 'application/json; charset=utf-16le' },
      body: Buffer.from('{"scenario":"probe.clearkey","project":"p"}', 'utf16le'),
    },
    { name: 'record wait repeated', method: 'GET', path: `/api/runs/${runId}/record?wait=1&wait=2`, headers: {} },
    { name: 'record wait empty', method: 'GET', path: `/api/runs/${runId}/record?wait=`, headers: {} },
    { name: 'record wait[]', method: 'GET', path: `/api/runs/${runId}/record?wait[]=1`, headers: {} },
  ];
  for (const profile of ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf'])
    cases.push({
      name: `license profile ${profile}`,
      method: 'POST',
      path: `/license/${runId}?profile=${profile}`,
      headers: {},
      body: license,
    });
  for (const q of [
    'profile=a&profile=b',
    'session=a&session=a',
    'messageType=license-request&messageType=license-request',
  ])
    cases.push({
      name: `license query ${q}`,
      method: 'POST',
      path: `/license/${runId}?${q}`,
      headers: {},
      body: license,
    });
  const writes: [string, Buffer][] = [
    ['/api/runs', Buffer.from('{"scenario":"probe.clearkey","project":"p"}')],
    [`/license/${runId}`, license],
    [`/api/runs/${runId}/evidence`, Buffer.from('{"kind":"page-lost","reason":"timeout","detail":"x"}')],
  ];
  for (const [path, body] of writes) {
    for (const origin of ['http://evil.example', 'null', 'http://127.0.0.1:1', 'https://127.0.0.1.evil.example'])
      cases.push({
        name: `POST ${path} from Origin ${origin}`,
        method: 'POST',
        path,
        headers: { ...json, origin },
        body,
      });
    cases.push({
      name: `POST ${path} cross-site without Origin`,
      method: 'POST',
      path,
      headers: { ...json, 'sec-fetch-site': 'cross-site' },
      body,
    });
  }
  for (const host of ['evil.example', 'evil.example:8787', '127.0.0.1.nip.io', 'localhost.', '[::2]'])
    for (const path of ['/api/health', `/api/runs/${runId}/record`, '/runner.html'])
      cases.push({ name: `GET ${path} with Host ${host}`, method: 'GET', path, headers: { host } });
  return cases;
}
