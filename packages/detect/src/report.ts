/**
 * `@lineage/detect/report`: the evidence report of a suspect probe, as versioned JSON and as a
 * self-contained HTML page (inline SVG charts, no script, no network).
 */
export type {
  CanaryFindings,
  EvidenceReport,
  QueryCounts,
  SchemeTrace,
  SequentialPlan,
  TracePoint,
} from './report/evidence-report.js';
export { EVIDENCE_REPORT_FORMAT, EVIDENCE_REPORT_VERSION } from './report/evidence-report.js';
// The report's chart drawing, for tools that render the same charts elsewhere (the benchmarks' summary).
export type { Markup } from './report/markup.js';
export { renderReportHtml } from './report/report-html.js';
export {
  type Bar,
  type BarChartSpec,
  barChart,
  type ChartAxis,
  type ChartPoint,
  formatTick,
  type LineChartSpec,
  type LineSeries,
  lineChart,
  type ReferenceLine,
} from './report/svg-chart.js';
