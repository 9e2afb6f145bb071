/**
 * The IDX format of the MNIST files (http://yann.lecun.com/exdb/mnist/): a big-endian header
 * `0x00 0x00 <type> <ndims>` followed by one uint32 size per dimension, then the values
 * row-major. Only unsigned bytes (type 0x08) occur in MNIST, so only those are accepted.
 */
import { readFile } from 'node:fs/promises';
import { UserError, errorMessage } from '../util/errors.js';

/** Type code of unsigned byte values. */
const IDX_UBYTE = 0x08;
/** Magic number of an image file: ubyte values, 3 dimensions [count, rows, cols]. */
export const IDX_IMAGES_MAGIC = 0x00000803;
/** Magic number of a label file: ubyte values, 1 dimension [count]. */
export const IDX_LABELS_MAGIC = 0x00000801;

export interface IdxArray {
  /** Size of each dimension, outermost first. */
  readonly dims: readonly number[];
  /** The values, row-major; a view into the parsed buffer (no copy). Length = product of dims. */
  readonly data: Uint8Array;
}

/**
 * Parses an IDX buffer of unsigned bytes. `file` names the source in error messages.
 * Throws UserError when the magic number is not `expectedMagic` (when given) or when the byte
 * length differs from the one the header implies (a truncated or padded download).
 */
export function parseIdx(bytes: Uint8Array, file: string, expectedMagic?: number): IdxArray {
  if (bytes.length < 4) {
    throw new UserError(`${file}: not an IDX file: expected at least 4 header bytes, found ${bytes.length}`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0, false);
  if (expectedMagic !== undefined && magic !== expectedMagic) {
    throw new UserError(`${file}: IDX magic number is ${hex(magic)}, expected ${hex(expectedMagic)}`);
  }
  const type = bytes[2];
  const ndims = bytes[3];
  if (bytes[0] !== 0 || bytes[1] !== 0 || type !== IDX_UBYTE || ndims === 0) {
    throw new UserError(`${file}: not an unsigned-byte IDX file (magic number ${hex(magic)})`);
  }
  const headerBytes = 4 + 4 * ndims;
  if (bytes.length < headerBytes) {
    throw new UserError(`${file}: truncated IDX header: expected ${headerBytes} bytes, found ${bytes.length}`);
  }
  const dims: number[] = [];
  let count = 1;
  for (let i = 0; i < ndims; i++) {
    const size = view.getUint32(4 + 4 * i, false);
    dims.push(size);
    count *= size;
  }
  const expected = headerBytes + count;
  if (bytes.length !== expected) {
    throw new UserError(
      `${file}: IDX file of shape [${dims.join(', ')}] should be ${expected} bytes: expected ${expected} bytes, found ${bytes.length}` +
        (bytes.length < expected ? ' (truncated download?)' : ''),
    );
  }
  return { dims, data: bytes.subarray(headerBytes, expected) };
}

/** Images of an IDX image file: `pixels` is [count, rows, cols] row-major. */
export interface IdxImages {
  readonly count: number;
  readonly rows: number;
  readonly cols: number;
  readonly pixels: Uint8Array;
}

/** Parses an IDX image file (magic 0x00000803). */
export function parseIdxImages(bytes: Uint8Array, file: string): IdxImages {
  const { dims, data } = parseIdx(bytes, file, IDX_IMAGES_MAGIC);
  return { count: dims[0], rows: dims[1], cols: dims[2], pixels: data };
}

/** Parses an IDX label file (magic 0x00000801): one byte per image. */
export function parseIdxLabels(bytes: Uint8Array, file: string): Uint8Array {
  return parseIdx(bytes, file, IDX_LABELS_MAGIC).data;
}

/** Reads a whole file, turning "not found" and similar into a UserError naming it. */
export async function readIdxFile(file: string): Promise<Uint8Array> {
  try {
    const buffer = await readFile(file);
    return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new UserError(`IDX file not found: ${file}`);
    throw new UserError(`cannot read IDX file ${file}: ${errorMessage(error)}`);
  }
}

/**
 * Encodes an unsigned-byte IDX file; the inverse of parseIdx (for fixtures and exports).
 * `data.length` must equal the product of `dims`.
 */
export function encodeIdx(dims: readonly number[], data: Uint8Array): Uint8Array {
  const count = dims.reduce((a, b) => a * b, 1);
  if (data.length !== count) throw new Error(`encodeIdx: ${data.length} values for shape [${dims.join(', ')}]`);
  const header = 4 + 4 * dims.length;
  const out = new Uint8Array(header + count);
  const view = new DataView(out.buffer);
  out[2] = IDX_UBYTE;
  out[3] = dims.length;
  dims.forEach((size, i) => view.setUint32(4 + 4 * i, size, false));
  out.set(data, header);
  return out;
}

function hex(value: number): string {
  return `0x${value.toString(16).padStart(8, '0')}`;
}
