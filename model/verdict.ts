// The verdicts a scenario can get, the kinds of difference a verdict stands for, and the spec every
// check cites.
export const VERDICTS = ['pass', 'fail', 'unsupported', 'not-measurable', 'error', 'crash', 'timeout'] as const;
export type Verdict = (typeof VERDICTS)[number];

/**
 * What kind of difference from the spec a result is, so a reader can weigh it:
 * - spec-deviation: a `must` rule of the spec broke (the failing check names the anchor and step);
 * - judgment-call: every `must` held, but advisory checks departed where the spec leaves room;
 * - content-format: the browser does not play a media layout the spec does not define (e.g. a key
 *   rotation layout): interop, not an EME algorithm;
 * - missing-feature: the browser lacks what the scenario needs (a key system, a session type);
 * - not-measurable: the harness cannot observe it with this browser and driver (a picture it cannot
 *   capture) — says nothing about the browser;
 * - player-limitation: a player (group K) did not play what the browser can: the player's own bug or
 *   gap, with its evidence and version — says nothing about the browser.
 */
export const DIFFERENCES = [
  'spec-deviation',
  'judgment-call',
  'content-format',
  'missing-feature',
  'not-measurable',
  'player-limitation',
] as const;
export type Difference = (typeof DIFFERENCES)[number];

/** The EME spec; checks and catalog entries cite anchors into it. */
export const SPEC_BASE = 'https://w3c.github.io/encrypted-media/';
