import test from 'ava';
import { createManifest } from '../../src/artifacts/manifest.js';
import type { ReportData } from '../../src/report/report-data.js';
import { evenlySpaced } from '../../src/report/report-data.js';
import { escapeHtml, flatten, relativeUrl, reportHtml } from '../../src/report/report-html.js';

const HOSTILE = '<script>alert("x")</script>&\'';

function data(overrides: Partial<ReportData> = {}): ReportData {
  const manifest = createManifest(HOSTILE, new Date('2026-01-01T00:00:00Z'));
  return {
    runDir: `/runs/${HOSTILE}`,
    manifest: { ...manifest, stages: { gan: { status: 'failed', artifacts: [], error: HOSTILE } } },
    config: { data: { name: HOSTILE }, gan: { batchSize: 32, l2Strengths: [0.01, 1] } },
    pretrain: undefined,
    pseudoLabels: undefined,
    pretrainCurves: [],
    ganCurves: [],
    realGrid: undefined,
    sampleGrids: [{ step: 5, file: 'gan/samples/step 5 "x".png' }],
    sampleGridCount: 1,
    evaluations: [],
    evaluationsFile: undefined,
    ...overrides,
  };
}

test('every text from the run is escaped: no markup from names, errors, config values or paths', (t) => {
  const html = reportHtml(data());
  t.false(html.includes('<script>'));
  t.true(html.includes('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;'));
  t.true(html.includes('src="gan/samples/step%205%20%22x%22.png"'), 'paths are URL-encoded and attribute-safe');
  t.regex(html, /<td class="status-failed">failed<\/td>/);
  t.regex(html, /<td>gan\.batchSize<\/td><td>32<\/td>/);
  t.regex(html, /<td>gan\.l2Strengths<\/td><td>\[0\.01,1\]<\/td>/);
});

test('helpers: escaping, relative URLs, flattening, thinning of sample grids', (t) => {
  t.is(escapeHtml('a<b>&"\''), 'a&lt;b&gt;&amp;&quot;&#39;');
  t.is(relativeUrl('gan/samples/step-1.png'), 'gan/samples/step-1.png');
  t.is(relativeUrl('a b/#c?.png'), 'a%20b/%23c%3F.png');
  t.deepEqual(flatten({ a: { b: 1, c: 'x' }, d: [] }), [['a.b', '1'], ['a.c', 'x'], ['d', '[]']]);
  t.deepEqual(evenlySpaced([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 4), [0, 3, 6, 9]);
  t.deepEqual(evenlySpaced([0, 1], 4), [0, 1]);
});
