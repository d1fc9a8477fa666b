// @ts-check
// Where EME may run (group A, #10): a frame from an insecure host, a sandboxed (opaque-origin)
// frame, a cross-origin frame with and without allow="encrypted-media", and a same-origin frame
// under Permissions-Policy: encrypted-media=(). The frame (context-frame.html) reports its steps; a
// same-origin frame first shows the frame itself works, so a refusal elsewhere means the context.
import { runCases } from '../cases.js';
import { StepFailed } from '../recorder.js';

/** @import { Steps } from '../steps.js' */

/**
 * One step the frame reports: its name and how it settled.
 * @typedef {{ name: string, ok: boolean, value?: unknown, error?: unknown }} FrameStep
 */

const FRAME_REPORT_MS = 10_000;

/**
 * Opens the frame and resolves with the steps it reports.
 * @param {Steps} h
 * @param {string} label
 * @param {{ src: string, sandbox?: string, allow?: string }} frame
 * @returns {Promise<FrameStep[]>}
 */
function frameReport(h, label, { src, sandbox, allow }) {
  const frame = document.createElement('iframe');
  if (sandbox !== undefined) frame.setAttribute('sandbox', sandbox);
  if (allow !== undefined) frame.setAttribute('allow', allow);
  frame.style.cssText = 'width:1px;height:1px;border:0';
  h.rec.note(label, 'frame-open', { src, sandbox: sandbox ?? null, allow: allow ?? null });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      window.removeEventListener('message', onMessage);
      frame.remove();
      reject(new StepFailed(`the ${label} frame (${src}) did not report within ${FRAME_REPORT_MS} ms`));
    }, FRAME_REPORT_MS);
    /** @param {MessageEvent} event */
    function onMessage(event) {
      if (event.source !== frame.contentWindow || event.data?.source !== 'eme-compat-context-frame') return;
      clearTimeout(timer);
      window.removeEventListener('message', onMessage);
      h.rec.note(label, 'frame-report', { origin: event.origin, steps: event.data.steps });
      frame.remove();
      resolve(event.data.steps);
    }
    window.addEventListener('message', onMessage);
    frame.src = src;
    document.body.append(frame);
  });
}

/**
 * Each step the frame reported becomes a recorded case `${prefix}-${step}` (settled as reported).
 * @param {Steps} h
 * @param {string} label
 * @param {string} prefix
 * @param {FrameStep[]} steps
 */
async function recordSteps(h, label, prefix, steps) {
  for (const step of steps) {
    await h.case(`${prefix}-${step.name}`, label, step.name, [], () =>
      step.ok ? Promise.resolve(step.value) : Promise.reject(step.error),
    );
  }
}

/**
 * @param {Steps} h
 * @param {{ cases: string[] }} params
 */
export async function run(h, { cases }) {
  h.requireEmeApi();
  const { origins = {}, id: runId } = h.run;
  const kid = h.keyId('key-1');
  /**
   * @param {string | undefined} origin
   * @param {string} [extra]
   */
  const page = (origin, extra = '') => `${origin ?? ''}/context-frame.html?run=${runId}&kid=${kid}${extra}`;
  /** @param {'https' | 'insecure'} name */
  const need = (name) => {
    if (!origins[name]) throw new Error(`the server reports no ${name} origin (started with --no-https?)`);
    return origins[name];
  };
  /**
   * @param {string} prefix
   * @param {string} label
   * @param {{ src: string, sandbox?: string, allow?: string }} frame
   */
  const check = async (prefix, label, frame) => recordSteps(h, label, prefix, await frameReport(h, label, frame));

  const CASES = {
    control: () => check('same-origin', 'same-origin-frame', { src: page('') }),
    insecure: () => check('insecure', 'insecure-frame', { src: page(need('insecure')) }),
    sandboxed: () => check('sandboxed', 'sandboxed-frame', { src: page(''), sandbox: 'allow-scripts' }),
    'cross-origin': () => check('cross-origin', 'cross-origin-frame', { src: page(need('https')) }),
    'cross-origin-allowed': () =>
      check('allowed', 'allowed-frame', { src: page(need('https'), '&lifecycle=1'), allow: 'encrypted-media' }),
    'permissions-policy': () => check('policy', 'policy-frame', { src: page('', '&policy=none') }),
  };
  await runCases(h, CASES, cases);
}
