// What the player page module loads from the server: each player's pinned browser build
// (/players/<name>.js) and the tracer as an ES module (/js/tracer/eme-tracer.mjs). Both come from
// node_modules and esbuild at request time, so a fresh `npm ci` is all a machine needs.
import type { Router } from 'express';
import express from 'express';
import { PlayerName } from '../model/players.ts';
import { playerScriptPath, playerVersion } from '../harness/players.ts';
import { tracerModule } from '../harness/trace/bundle.ts';
import { HttpError } from './http-errors.ts';

export const TRACER_MODULE_PATH = '/js/tracer/eme-tracer.mjs';

export function playerRoutes(): Router {
  const router = express.Router();
  router.get('/players/:file', (req, res, next) => {
    const match = /^([a-z]+)\.js$/.exec(req.params.file);
    // The player pages beside the builds (pages/players/*.html) are static files.
    if (!match) return next();
    const name = PlayerName.safeParse(match[1]);
    if (!name.success)
      throw new HttpError(
        404,
        'unknown-player',
        `no player ${req.params.file}; known: ${PlayerName.options.map((p) => `${p}.js`).join(', ')}`,
      );
    res.set('X-Player-Version', playerVersion(name.data));
    res.type('text/javascript');
    res.sendFile(playerScriptPath(name.data), { maxAge: 3_600_000 }, (err) => err && next(err));
  });
  router.get(TRACER_MODULE_PATH, async (_req, res) => {
    res
      .type('text/javascript')
      .set('Cache-Control', 'no-cache')
      .send(await tracerModule());
  });
  return router;
}
