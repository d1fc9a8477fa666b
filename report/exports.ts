// Exports other tools read, made from the compatibility reports (one module each under report/exports/):
// - wptreport JSON (wptrunner's format, as wpt.fyi's results-processor reads it): wptreport.ts;
// - MDN browser-compat-data for the EME API surface and the behaviour scenarios show: bcd.ts;
// - mdn-bcd-collector reports, the route test results take into BCD (its update-bcd script): collector.ts.
export {
  toWptReport,
  parseWptReport,
  wptProduct,
  wptOs,
  WptReportSchema,
  type WptReport,
  type WptOptions,
} from './exports/wptreport.ts';
export {
  toBcd,
  bcdProblems,
  assertValidBcd,
  loadBcdBrowsers,
  bcdTarget,
  bcdFeatures,
  type BcdExport,
  type BcdBrowsers,
} from './exports/bcd.ts';
export { toCollectorReport, CollectorReport, type CollectorOptions } from './exports/collector.ts';
