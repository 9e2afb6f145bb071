/* global tf, document, location, fetch, URLSearchParams -- a classic browser script beside tf.min.js */
/**
 * The page of an exported s3gan generator. It loads ./model.json with plain TensorFlow.js
 * (./tf.min.js, copied beside it, so the page needs no network beyond the server of this folder)
 * and ./generator.json (what the export recorded: class names), then draws:
 *   - samples: one row per class with the same z down each column (conditional generators), the
 *     chosen class's grid after a class button, or a plain grid (unconditional generators);
 *   - an interpolation between two latent vectors, as a row and as one image at the slider's t.
 * Pixels are the generator's [−1, 1] outputs mapped to [0, 255], as s3gan's own grids are.
 * Query parameter: ?backend=cpu (or webgl, wasm) picks the TensorFlow.js backend.
 * The body's data-state (loading, ready, error) and data-draws (completed redraws) let tests wait.
 */
'use strict';

/** Samples per row, and rows of a one-class or unconditional grid. */
const COLUMNS = 8;
/** Rows of the all-classes view at most (one per class). */
const MAX_CLASS_ROWS = 20;
const INTERPOLATION_STEPS = 9;
/** Displayed size of one sample, at least (small images are scaled up by whole factors). */
const CELL_PX = 64;
const BLEND_PX = 192;
const GAP_PX = 2;
const LABEL_FONT = '14px system-ui, sans-serif';

const byId = (id) => document.getElementById(id);

function setState(state, message) {
  document.body.dataset.state = state;
  byId('status').textContent = message;
}

/** n standard normal samples (Box–Muller): the training's z ~ N(0, I). */
function normalSamples(n) {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i += 2) {
    // 1 − u keeps the logarithm's argument in (0, 1].
    const radius = Math.sqrt(-2 * Math.log(1 - Math.random()));
    const angle = 2 * Math.PI * Math.random();
    out[i] = radius * Math.cos(angle);
    if (i + 1 < n) out[i + 1] = radius * Math.sin(angle);
  }
  return out;
}

/**
 * Spherical interpolation between latent vectors a and b: it keeps the norm typical of N(0, I)
 * samples, where a straight line passes through the unlikely region near the origin (White 2016,
 * "Sampling Generative Networks").
 */
function slerp(a, b, t) {
  let dot = 0;
  let normA = 0;
  let normB = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    normA += a[i] * a[i];
    normB += b[i] * b[i];
  }
  const omega = Math.acos(Math.min(1, Math.max(-1, dot / Math.sqrt(normA * normB))));
  const out = new Float32Array(a.length);
  const small = Math.sin(omega) < 1e-6;
  const wa = small ? 1 - t : Math.sin((1 - t) * omega) / Math.sin(omega);
  const wb = small ? t : Math.sin(t * omega) / Math.sin(omega);
  for (let i = 0; i < a.length; i++) out[i] = wa * a[i] + wb * b[i];
  return out;
}

/** What the page needs of the generator: shapes from the model itself, names from generator.json. */
function describe(model, recorded) {
  const zDim = model.inputs[0].shape[1];
  const [, imageSize, , channels] = model.outputs[0].shape;
  const conditional = model.inputs.length > 1;
  const embedding = model.layers.find((layer) => layer.getClassName() === 'Embedding');
  const numClasses = conditional ? (recorded.numClasses ?? embedding.inputDim) : 0;
  const classNames = recorded.classNames ?? Array.from({ length: numClasses }, (_, i) => String(i));
  return { zDim, imageSize, channels, conditional, numClasses, classNames };
}

/** Images of the generator as uint8 pixels [n, size, size, channels]. */
async function generate(page, z, labels) {
  const n = labels.length;
  const pixels = tf.tidy(() => {
    const zTensor = tf.tensor2d(z, [n, page.info.zDim]);
    const inputs = page.info.conditional ? [zTensor, tf.tensor2d(labels, [n, 1], 'int32')] : zTensor;
    const images = page.model.predict(inputs);
    return tf.cast(tf.clipByValue(tf.round(tf.mul(tf.add(images, 1), 127.5)), 0, 255), 'int32');
  });
  try {
    return await pixels.data();
  } finally {
    pixels.dispose();
  }
}

/** Draws images in rows of `columns`, each scaled to `cellPx` at least, rows labelled when given. */
function drawGrid(canvas, info, pixels, columns, rowLabels, cellPx) {
  const size = info.imageSize;
  const channels = info.channels;
  const count = pixels.length / (size * size * channels);
  const rows = Math.ceil(count / columns);
  const cell = size * Math.max(1, Math.round(cellPx / size));
  const context = canvas.getContext('2d');
  context.font = LABEL_FONT;
  const labelWidth = rowLabels === undefined ? 0 : Math.ceil(Math.max(...rowLabels.map((label) => context.measureText(label).width))) + 2 * GAP_PX;
  canvas.width = labelWidth + columns * (cell + GAP_PX) + GAP_PX;
  canvas.height = rows * (cell + GAP_PX) + GAP_PX;
  context.fillStyle = '#fff';
  context.fillRect(0, 0, canvas.width, canvas.height);
  context.imageSmoothingEnabled = false;
  const tile = document.createElement('canvas');
  tile.width = tile.height = size;
  const tileContext = tile.getContext('2d');
  const image = tileContext.createImageData(size, size);
  for (let i = 0; i < count; i++) {
    for (let p = 0; p < size * size; p++) {
      const at = (i * size * size + p) * channels;
      image.data[4 * p] = pixels[at];
      image.data[4 * p + 1] = pixels[at + (channels === 3 ? 1 : 0)];
      image.data[4 * p + 2] = pixels[at + (channels === 3 ? 2 : 0)];
      image.data[4 * p + 3] = 255;
    }
    tileContext.putImageData(image, 0, 0);
    const x = labelWidth + GAP_PX + (i % columns) * (cell + GAP_PX);
    const y = GAP_PX + Math.floor(i / columns) * (cell + GAP_PX);
    context.drawImage(tile, x, y, cell, cell);
  }
  if (rowLabels !== undefined) {
    context.font = LABEL_FONT;
    context.fillStyle = '#333';
    context.textBaseline = 'middle';
    rowLabels.forEach((label, row) => context.fillText(label, GAP_PX, GAP_PX + row * (cell + GAP_PX) + cell / 2));
  }
}

/** The z of sample i (a view into page.z). */
const zOf = (page, i) => page.z.subarray(i * page.info.zDim, (i + 1) * page.info.zDim);

/** The samples grid of the current view. */
async function drawSamples(page) {
  const { info } = page;
  const title = byId('samples-title');
  if (info.conditional && page.view === 'all') {
    // One row per class, one z per column: a column shows one z across the classes.
    const rows = Math.min(info.numClasses, MAX_CLASS_ROWS);
    const z = new Float32Array(rows * COLUMNS * info.zDim);
    const labels = new Int32Array(rows * COLUMNS);
    for (let i = 0; i < rows * COLUMNS; i++) {
      z.set(zOf(page, i % COLUMNS), i * info.zDim);
      labels[i] = Math.floor(i / COLUMNS);
    }
    drawGrid(byId('samples'), info, await generate(page, z, labels), COLUMNS, info.classNames.slice(0, rows), CELL_PX);
    title.textContent = rows < info.numClasses ? `Samples of the first ${rows} of ${info.numClasses} classes` : 'Samples per class';
    return;
  }
  const labels = new Int32Array(COLUMNS * COLUMNS).fill(info.conditional ? page.view : 0);
  drawGrid(byId('samples'), info, await generate(page, page.z, labels), COLUMNS, undefined, CELL_PX);
  title.textContent = info.conditional ? `Samples of class ${info.classNames[page.view]}` : 'Samples';
}

/** The class the interpolation shows: the chosen one, or the first in the all-classes view. */
const interpolationClass = (page) => (page.view === 'all' ? 0 : page.view);

async function drawInterpolation(page) {
  const { info } = page;
  const [a, b] = page.ends;
  const z = new Float32Array(INTERPOLATION_STEPS * info.zDim);
  for (let i = 0; i < INTERPOLATION_STEPS; i++) z.set(slerp(a, b, i / (INTERPOLATION_STEPS - 1)), i * info.zDim);
  const labels = new Int32Array(INTERPOLATION_STEPS).fill(interpolationClass(page));
  drawGrid(byId('interpolation'), info, await generate(page, z, labels), INTERPOLATION_STEPS, undefined, CELL_PX);
  byId('interpolation-caption').textContent =
    `From z₁ (left) to z₂ (right) along the sphere${info.conditional ? `, class ${info.classNames[interpolationClass(page)]}` : ''}.`;
}

async function drawBlend(page) {
  const t = Number(byId('t').value) / 100;
  byId('t-value').textContent = t.toFixed(2);
  const pixels = await generate(page, slerp(page.ends[0], page.ends[1], t), new Int32Array([interpolationClass(page)]));
  drawGrid(byId('blend'), page.info, pixels, 1, undefined, BLEND_PX);
}

/** Runs redraws one after another (a redraw awaits the model; clicks may come meanwhile). */
function scheduler(page) {
  let queue = Promise.resolve();
  return (...parts) => {
    queue = queue
      .then(async () => {
        setState('loading', 'Generating…');
        for (const part of parts) await part(page);
        document.body.dataset.draws = String(Number(document.body.dataset.draws) + 1);
        setState('ready', `Ready · backend ${tf.getBackend()}`);
      })
      .catch((error) => setState('error', `Error: ${error.message}`));
    return queue;
  };
}

function classButtons(page, redraw) {
  const container = byId('classes');
  const buttons = [];
  const add = (label, view) => {
    const button = document.createElement('button');
    button.type = 'button';
    button.textContent = label;
    button.dataset.class = String(view);
    button.setAttribute('aria-pressed', String(view === page.view));
    button.addEventListener('click', () => {
      page.view = view;
      for (const other of buttons) other.setAttribute('aria-pressed', String(other === button));
      void redraw(drawSamples, drawInterpolation, drawBlend);
    });
    buttons.push(button);
    container.append(button);
  };
  add('All classes', 'all');
  page.info.classNames.forEach((name, i) => add(name, i));
}

async function main() {
  if (location.protocol === 'file:') throw new Error('serve this folder over HTTP (for example `npx http-server .` or `python3 -m http.server`): a page opened from disk cannot fetch model.json');
  const backend = new URLSearchParams(location.search).get('backend');
  if (backend !== null && !(await tf.setBackend(backend))) throw new Error(`TensorFlow.js backend ${backend} is not available`);
  await tf.ready();
  const recorded = await fetch('./generator.json').then((response) => (response.ok ? response.json() : {}));
  const model = await tf.loadLayersModel('./model.json');
  const info = describe(model, recorded);
  const page = { model, info, view: 'all', z: normalSamples(COLUMNS * COLUMNS * info.zDim), ends: [normalSamples(info.zDim), normalSamples(info.zDim)] };
  byId('summary').textContent =
    `${info.imageSize}×${info.imageSize}×${info.channels} images from z of ${info.zDim} dimensions; ` +
    (info.conditional ? `conditional on ${info.numClasses} classes.` : 'unconditional.');
  const redraw = scheduler(page);
  if (info.conditional) classButtons(page, redraw);
  byId('new-noise').addEventListener('click', () => {
    page.z = normalSamples(COLUMNS * COLUMNS * info.zDim);
    page.ends = [normalSamples(info.zDim), normalSamples(info.zDim)];
    void redraw(drawSamples, drawInterpolation, drawBlend);
  });
  byId('t').addEventListener('input', () => void redraw(drawBlend));
  await redraw(drawSamples, drawInterpolation, drawBlend);
}

main().catch((error) => setState('error', `Error: ${error.message}`));
