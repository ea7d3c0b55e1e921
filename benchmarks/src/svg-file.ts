/**
 * A chart of the evidence report (`@lineage/detect/report`) as a standalone .svg file: the
 * report styles its inline charts from the page's CSS, so a file viewed on its own needs the
 * SVG namespace, its own text styles and an opaque background (dark viewers would hide the text).
 */
import type { Markup } from '@lineage/detect/report';

const STYLE =
  '<style>text{font:11px system-ui,-apple-system,"Segoe UI",sans-serif;fill:#333}text.axis-label{font-size:12px;fill:#111}text.note,text.empty{fill:#666;font-style:italic}</style>';

export function standaloneSvg(chart: Markup): string {
  const svg = chart.toString();
  if (!svg.startsWith('<svg ')) throw new Error('not an SVG chart');
  const open = svg.indexOf('>') + 1;
  const head = svg.slice(0, open).replace('<svg ', '<svg xmlns="http://www.w3.org/2000/svg" ');
  return `<?xml version="1.0" encoding="UTF-8"?>\n${head}${STYLE}<rect width="100%" height="100%" fill="#fff"/>${svg.slice(open)}\n`;
}
