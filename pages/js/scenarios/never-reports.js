// @ts-check
// Harness self-test: a page that hangs. The test must turn this into a 'timeout' verdict.

/** @param {import('../steps.js').Steps} h */
export async function run(h) {
  h.rec.note('runner', 'hanging-on-purpose', {});
  await new Promise(() => {});
}
