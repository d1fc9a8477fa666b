// What the player pages load from the server: each pinned player build with its version, the tracer as
// an ES module, a clear JSON 404 for a player that is not one, and the player pages themselves.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startLoopbackHarness, type LoopbackHarness } from './loopback-harness.ts';
import { PLAYER_NAMES, PLAYERS } from '../../model/players.ts';

let harness: LoopbackHarness;
before(async () => (harness = await startLoopbackHarness('players-route')));
after(() => harness.close());

test('each player build is served with the version package.json pins', async () => {
  const pinned = JSON.parse(readFileSync('package.json', 'utf8')).dependencies as Record<string, string>;
  for (const name of PLAYER_NAMES) {
    const response = await fetch(`${harness.base}/players/${name}.js`);
    assert.equal(response.status, 200, name);
    assert.match(response.headers.get('content-type') ?? '', /^text\/javascript/);
    assert.equal(response.headers.get('x-player-version'), pinned[PLAYERS[name].npmPackage], name);
    assert.ok((await response.arrayBuffer()).byteLength > 100_000, `${name}: a whole build`);
  }
});

test('an unknown player is a JSON 404 naming the known ones; the player page beside them is a page', async () => {
  const response = await fetch(`${harness.base}/players/vlc.js`);
  assert.equal(response.status, 404);
  const body = (await response.json()) as { error: string; message: string };
  assert.equal(body.error, 'unknown-player');
  assert.match(body.message, /shaka\.js, dashjs\.js, hlsjs\.js/);
  const page = await fetch(`${harness.base}/players/play.html`);
  assert.equal(page.status, 200);
  assert.match(await page.text(), /import \{ DRIVERS, loadPlayerScript \} from '\/js\/players\.js'/);
});

test('the tracer is an ES module exporting traceEme, with trace-anything inside', async () => {
  const response = await fetch(`${harness.base}/js/tracer/eme-tracer.mjs`);
  assert.equal(response.status, 200);
  const source = await response.text();
  assert.match(source, /includes trace-anything 1\.0\.2/);
  assert.match(source, /export\s*\{[^}]*traceEme/);
});
