// How the run engine runs a named phase (register, start, wait, photograph, judge, …). Plain code runs
// the body as it is; the Playwright fixture passes test.step, so each phase shows in the test's steps.
export type PhaseRunner = <T>(title: string, body: () => Promise<T>) => Promise<T>;

/** Runs the body, nothing more. */
export const plainPhase: PhaseRunner = (_title, body) => body();
