/**
 * NumPy's .npy array file (format version 1.0, numpy/lib/format.py): the magic string, a
 * little-endian header length, a Python-literal header dict padded with spaces so that the data
 * starts at a multiple of 64 bytes, then the data in C order. Read back with `numpy.load(file)`.
 * Only uint8 arrays are written: images as the generator's pixels, [n, height, width, channels].
 */
import { invariant } from '../util/errors.js';

const MAGIC = [0x93, ...Buffer.from('NUMPY', 'latin1')];
/** Data starts at a multiple of this many bytes (numpy aligns to 64 since 1.x for memory mapping). */
const ALIGNMENT_BYTES = 64;

/** The bytes of a .npy file holding `data` as a uint8 array of `shape` (C order). */
export function encodeNpyUint8(data: Uint8Array, shape: readonly number[]): Uint8Array {
  invariant(shape.every((d) => Number.isInteger(d) && d >= 0), `npy shape must be non-negative integers, got [${shape.join(', ')}]`);
  const count = shape.reduce((product, d) => product * d, 1);
  invariant(data.length === count, `npy data holds ${data.length} bytes, shape [${shape.join(', ')}] needs ${count}`);
  // A one-element tuple needs its trailing comma in Python: (5,).
  const tuple = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  const dict = `{'descr': '|u1', 'fortran_order': False, 'shape': ${tuple}, }`;
  // magic (6) + version (2) + header length (2) + header, the header ending in '\n'.
  const unpadded = MAGIC.length + 2 + 2 + dict.length + 1;
  const header = `${dict}${' '.repeat((ALIGNMENT_BYTES - (unpadded % ALIGNMENT_BYTES)) % ALIGNMENT_BYTES)}\n`;
  const out = new Uint8Array(MAGIC.length + 4 + header.length + data.length);
  out.set(MAGIC, 0);
  out[6] = 1; // major version
  out[7] = 0; // minor version
  out[8] = header.length & 0xff;
  out[9] = header.length >> 8;
  out.set(Buffer.from(header, 'latin1'), 10);
  out.set(data, 10 + header.length);
  return out;
}
