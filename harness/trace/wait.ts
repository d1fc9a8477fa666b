// What `eme-compat trace` waits for, checked before any browser starts: a JavaScript expression polled
// in the page (--until), a timeline event (--until-event), or only the time (--timeout). A user script
// (--script) must at least parse as the body of an async function.
import type { WaitSpec } from './schema.ts';

/** Events and promise settlements --until-event can name (the names the timeline records). */
export const UNTIL_EVENTS = [
  'message',
  'keystatuseschange',
  'closed',
  'encrypted',
  'waitingforkey',
  'playing',
  'loadedmetadata',
  'ended',
  'error',
  'progress',
] as const;

const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor as new (body: string) => unknown;

/** The usage error in a wait specification, or null when it is sound. */
export function checkWait(wait: WaitSpec): string | null {
  if (wait.until !== null && wait.untilEvent !== null) return 'give --until or --until-event, not both';
  if (wait.until !== null) {
    if (!wait.until.trim()) return '--until needs a JavaScript expression';
    try {
      new Function(`return (${wait.until}\n);`);
    } catch (err) {
      return `--until is not a JavaScript expression: ${(err as Error).message}`;
    }
  }
  if (wait.untilEvent !== null && !(UNTIL_EVENTS as readonly string[]).includes(wait.untilEvent))
    return `--until-event ${wait.untilEvent}: choose one of ${UNTIL_EVENTS.join(', ')}`;
  if (wait.script !== null) {
    try {
      new AsyncFunction(wait.script);
    } catch (err) {
      return `the --script file does not parse as JavaScript: ${(err as Error).message}`;
    }
  }
  return null;
}

/** What the wait is, in words (for the report and the console). */
export function describeWait(wait: WaitSpec): string {
  const limit = `${wait.timeoutMs / 1000} s`;
  if (wait.until !== null) return `until ${wait.until} (at most ${limit})`;
  if (wait.untilEvent !== null) return `until the first ${wait.untilEvent} (at most ${limit})`;
  return `for ${limit}`;
}
