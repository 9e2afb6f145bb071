/**
 * Row labels of image grids (class names in a left margin). The layout is pure arithmetic, so a
 * grid's size never depends on the fonts of the machine; the text itself is drawn when the grid is
 * encoded, as an SVG that sharp renders through librsvg. Where that rendering fails the margin
 * stays blank rather than the grid being lost.
 */
import sharp from 'sharp';

/** Font sizes in pixels: as tall as a row allows, within what stays legible and compact. */
const MIN_FONT_PX = 8;
const MAX_FONT_PX = 14;
/** Characters of a label shown; longer names end in '…' so one name cannot widen the grid much. */
export const MAX_LABEL_CHARS = 12;
/** Advance of one character of a monospace font, in ems (DejaVu Sans Mono: 0.602). */
const CHAR_WIDTH_EM = 0.6;
const FONT_FAMILY = 'DejaVu Sans Mono, Menlo, Consolas, monospace';

/** One row label: its text, the left edge of its text, and the band of the row it labels. */
export interface GridLabel {
  readonly text: string;
  /** Left edge of the text, pixels from the grid's left. */
  readonly x: number;
  /** Top of the row's images and their height, pixels. */
  readonly top: number;
  readonly height: number;
  readonly fontPx: number;
}

export interface LabelMargin {
  /** Pixels added left of the images: the widest label plus one padding. 0 without labels. */
  readonly width: number;
  readonly fontPx: number;
  /** The labels as shown (shortened to MAX_LABEL_CHARS). */
  readonly texts: readonly string[];
}

/** `text` cut to MAX_LABEL_CHARS characters, the last one '…' when cut. */
export function shortLabel(text: string): string {
  const chars = [...text];
  return chars.length <= MAX_LABEL_CHARS ? text : `${chars.slice(0, MAX_LABEL_CHARS - 1).join('')}…`;
}

/** The left margin that holds `labels` for rows of images `rowHeight` pixels tall. */
export function labelMargin(labels: readonly string[] | undefined, rowHeight: number, padding: number): LabelMargin {
  const texts = (labels ?? []).map(shortLabel);
  const longest = Math.max(0, ...texts.map((t) => [...t].length));
  const fontPx = Math.min(MAX_FONT_PX, Math.max(MIN_FONT_PX, rowHeight - 2));
  const width = longest === 0 ? 0 : Math.ceil(longest * CHAR_WIDTH_EM * fontPx) + padding;
  return { width, fontPx, texts };
}

function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c] as string);
}

/** The labels as an SVG of the grid's size; text is white on dark backgrounds, black on light ones. */
export function labelSvg(labels: readonly GridLabel[], width: number, height: number, background: number): string {
  const fill = background < 128 ? '#ffffff' : '#000000';
  const texts = labels.map((label) => {
    // Baseline placed so the text's x-height sits in the middle of the row.
    const baseline = label.top + label.height / 2 + 0.35 * label.fontPx;
    return `<text x="${label.x}" y="${baseline.toFixed(1)}" font-size="${label.fontPx}">${escapeXml(label.text)}</text>`;
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><g font-family="${FONT_FAMILY}" fill="${fill}">${texts.join('')}</g></svg>`;
}

/** The labels rendered to RGBA pixels [height, width, 4], or undefined when SVG text cannot be rendered here. */
export async function renderLabels(labels: readonly GridLabel[], width: number, height: number, background: number): Promise<Buffer | undefined> {
  if (labels.length === 0) return undefined;
  try {
    return await sharp(Buffer.from(labelSvg(labels, width, height, background)))
      .ensureAlpha()
      .raw()
      .toBuffer();
  } catch {
    return undefined;
  }
}
