// The verdicts a scenario can get, and the spec every check cites.
export const VERDICTS = ['pass', 'fail', 'unsupported', 'error', 'crash', 'timeout'] as const;
export type Verdict = (typeof VERDICTS)[number];

/** The EME spec; checks and catalog entries cite anchors into it. */
export const SPEC_BASE = 'https://w3c.github.io/encrypted-media/';
