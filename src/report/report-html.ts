/**
 * The run report as one HTML page that opens from disk (file://): no scripts, no server, styles
 * inline; curves are embedded as PNG data URIs, image grids linked by their path relative to the
 * run directory (the page sits in it). Every piece of text from the run is escaped.
 */
import type { EvalResults, MetricResult } from '../eval/results.js';
import { formatMetricValue } from '../eval/results.js';
import type { DrawnCurve } from '../plots/training-curves.js';
import type { ReportData } from './report-data.js';

/** `text` safe in HTML text and in double-quoted attributes. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

/** A run-relative path as a URL relative to the page: each segment percent-encoded. */
export function relativeUrl(rel: string): string {
  return rel.split('/').map(encodeURIComponent).join('/');
}

/** The stylesheet of the HTML reports (inline: the pages open from disk). */
export const REPORT_STYLE = `
body{font-family:DejaVu Sans,Helvetica,Arial,sans-serif;margin:24px;color:#222;max-width:1320px}
h1{font-size:22px}h2{font-size:18px;margin-top:32px;border-bottom:1px solid #ccc}h3{font-size:15px}
table{border-collapse:collapse;font-size:13px;margin:8px 0}td,th{border:1px solid #ddd;padding:3px 8px;text-align:left;vertical-align:top}
th{background:#f3f3f3}td.num{text-align:right;font-variant-numeric:tabular-nums}
.status-done{color:#1a7f37}.status-failed{color:#c62828}.status-running{color:#b26a00}
figure{display:inline-block;margin:8px 16px 8px 0;vertical-align:top}figcaption{font-size:12px;color:#555}
img{image-rendering:pixelated}img.chart{image-rendering:auto;max-width:100%}
details{margin:8px 0}pre{font-size:12px;background:#f7f7f7;padding:8px;overflow:auto}.muted{color:#777}`;

type Cell = string | number | null | undefined;

function cell(value: Cell, numeric = false): string {
  const text = value === null || value === undefined ? '' : typeof value === 'number' ? formatMetricValue(value) : value;
  return `<td${numeric || typeof value === 'number' ? ' class="num"' : ''}>${escapeHtml(String(text))}</td>`;
}

/** A table with a header row; cells are escaped. */
function table(header: readonly string[], rows: readonly (readonly Cell[])[], id?: string): string {
  const head = header.every((h) => h === '') ? '' : `<tr>${header.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr>`;
  const body = rows.map((row) => `<tr>${row.map((c) => cell(c)).join('')}</tr>`).join('');
  return `<table${id === undefined ? '' : ` id="${escapeHtml(id)}"`}>${head}${body}</table>`;
}

/**
 * A JSON value as dotted key → value rows (arrays and empty objects shown as JSON). Numbers stay
 * exact (a config must read as written) unless `roundNumbers` asks for 4 significant digits.
 */
export function flatten(value: unknown, prefix = '', roundNumbers = false): [string, Cell][] {
  if (value !== null && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length > 0) {
    return Object.entries(value as Record<string, unknown>).flatMap(([key, child]) => flatten(child, prefix === '' ? key : `${prefix}.${key}`, roundNumbers));
  }
  if (typeof value === 'number' && roundNumbers) return [[prefix, value]];
  return [[prefix, typeof value === 'string' ? value : JSON.stringify(value) ?? 'undefined']];
}

function image(src: string, alt: string, className?: string): string {
  return `<img src="${escapeHtml(src)}" alt="${escapeHtml(alt)}"${className === undefined ? '' : ` class="${className}"`}>`;
}

function curveFigures(curves: readonly DrawnCurve[]): string {
  return curves.map((c) => `<figure>${image(`data:image/png;base64,${c.png.toString('base64')}`, c.title, 'chart')}<figcaption>${escapeHtml(c.file)}</figcaption></figure>`).join('');
}

function stagesSection(data: ReportData): string {
  const rows = Object.entries(data.manifest.stages).map(([name, s]) => [name, s.status, s.startedAt, s.finishedAt, s.artifacts.join(', '), s.error]);
  const statusRows = table(['stage', 'status', 'started', 'finished', 'artifacts', 'error'], rows, 'stages')
    // Colour each status cell by its value (the values are a fixed enum, already escaped).
    .replace(/<td>(done|failed|running|pending)<\/td>/g, '<td class="status-$1">$1</td>');
  const m = data.manifest;
  const about = table(['', ''], [['run', m.runName], ['created', m.createdAt], ['updated', m.updatedAt], ['s3gan', m.s3ganVersion], ['Node.js', m.nodeVersion], ['backend', m.backend === null ? null : `${m.backend.name} (${m.backend.detail})`]], 'about');
  return `<h2>Stages</h2>${about}${statusRows}`;
}

function pretrainSection(data: ReportData): string {
  if (data.pretrain === undefined && data.pretrainCurves.length === 0) return '';
  const report = data.pretrain === undefined ? '' : table(['field', 'value'], flatten(data.pretrain, '', true), 'pretrain-report');
  return `<h2>Rotation pretraining</h2>${report}${curveFigures(data.pretrainCurves)}`;
}

function confusionTable(confusion: readonly (readonly number[])[], classNames: readonly string[]): string {
  const name = (k: number) => classNames[k] ?? String(k);
  const head = `<tr><th>true \\ predicted</th>${confusion.map((_, k) => `<th>${escapeHtml(name(k))}</th>`).join('')}</tr>`;
  const body = confusion
    .map((row, k) => {
      const total = row.reduce((a, b) => a + b, 0);
      const cells = row.map((count, j) => {
        // Shade by the row's fraction: the diagonal reads as recall, off-diagonal cells as confusions.
        const alpha = total > 0 ? count / total : 0;
        const rgb = j === k ? '26,127,55' : '198,40,40';
        return `<td class="num" style="background:rgba(${rgb},${alpha.toFixed(3)})">${count}</td>`;
      });
      return `<tr><th>${escapeHtml(name(k))}</th>${cells.join('')}</tr>`;
    })
    .join('');
  return `<table id="confusion">${head}${body}</table>`;
}

function pseudoLabelSection(data: ReportData): string {
  const r = data.pseudoLabels;
  if (r === undefined) return '';
  const pct = (x: number | null | undefined) => (x === null || x === undefined ? null : `${(100 * x).toFixed(2)} %`);
  const summary = table(
    ['', ''],
    [
      ['labels', r.description],
      ['labelled images', `${r.labelledImages} of ${r.trainImages}`],
      ['accuracy, unlabelled training images', pct(r.unlabelledTrain.accuracy)],
      ['accuracy, test split', pct(r.test?.accuracy)],
      ['mean confidence', pct(r.meanConfidence)],
      ['raw-pixel baseline (unlabelled train / test)', r.rawPixelBaseline === null ? null : `${pct(r.rawPixelBaseline.unlabelledTrain.accuracy)} / ${pct(r.rawPixelBaseline.test?.accuracy) ?? 'n/a'}`],
    ],
    'pseudo-label-summary',
  );
  const perClass = table(['class', 'images', 'correct', 'accuracy'], r.unlabelledTrain.perClass.map((c) => [r.classNames[c.label] ?? String(c.label), String(c.count), String(c.correct), pct(c.accuracy)]));
  return `<h2>Pseudo-labels</h2>${summary}<h3>Unlabelled training images: confusion matrix (rows: true class)</h3>${confusionTable(r.unlabelledTrain.confusion, r.classNames)}<h3>Per class</h3>${perClass}`;
}

function ganSection(data: ReportData): string {
  if (data.ganCurves.length === 0 && data.sampleGrids.length === 0 && data.realGrid === undefined) return '';
  const real = data.realGrid === undefined ? '' : `<h3>Training images by the label the GAN trains on</h3><figure>${image(relativeUrl(data.realGrid), 'real training images, one row per label')}<figcaption>${escapeHtml(data.realGrid)}</figcaption></figure>`;
  const shown = data.sampleGrids.length < data.sampleGridCount ? ` <span class="muted">(${data.sampleGrids.length} of ${data.sampleGridCount}, evenly spaced)</span>` : '';
  const grids = data.sampleGrids.map((g) => `<figure>${image(relativeUrl(g.file), `samples at step ${g.step}`)}<figcaption>step ${g.step}</figcaption></figure>`).join('');
  return `<h2>GAN training</h2>${curveFigures(data.ganCurves)}${real}${grids === '' ? '' : `<h3>Samples of G-EMA over training (same noise; one row per class)${shown}</h3>${grids}`}`;
}

function metricLabel(m: MetricResult): string {
  return m.std === undefined ? formatMetricValue(m.value) : `${formatMetricValue(m.value)} ± ${formatMetricValue(m.std)}`;
}

function evalSection(data: ReportData): string {
  if (data.evaluations.length === 0) return '';
  const names = [...new Set(data.evaluations.flatMap((e: EvalResults) => (e.metrics ?? []).map((m) => m.metric)))];
  const rows = data.evaluations.map((e) => {
    const byName = new Map((e.metrics ?? []).map((m) => [m.metric, metricLabel(m)]));
    return [e.createdAt, e.step === null ? null : String(e.step), e.generator, e.split, String(e.n_fake), ...names.map((n) => byName.get(n) ?? null)];
  });
  return `<h2>Evaluations</h2><p class="muted">from ${escapeHtml(data.evaluationsFile ?? '')}, oldest first</p>${table(['time', 'step', 'generator', 'split', 'n_fake', ...names], rows, 'evaluations')}`;
}

function configSection(data: ReportData): string {
  if (data.config === undefined) return '<h2>Config</h2><p class="muted">no resolved-config.json</p>';
  return `<h2>Config</h2><details open><summary>resolved-config.json</summary>${table(['key', 'value'], flatten(data.config), 'config')}</details>`;
}

/** The whole page. */
export function reportHtml(data: ReportData, generatedAt: Date = new Date()): string {
  const title = `s3gan run ${data.manifest.runName}`;
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<title>${escapeHtml(title)}</title><style>${REPORT_STYLE}</style></head><body>`,
    `<h1>${escapeHtml(title)}</h1>`,
    `<p class="muted">${escapeHtml(data.runDir)} · report written ${escapeHtml(generatedAt.toISOString())}</p>`,
    stagesSection(data),
    pretrainSection(data),
    pseudoLabelSection(data),
    ganSection(data),
    evalSection(data),
    configSection(data),
    '</body></html>',
    '',
  ].join('\n');
}
