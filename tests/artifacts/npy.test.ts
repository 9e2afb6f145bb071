import test from 'ava';
import { encodeNpyUint8 } from '../../src/artifacts/npy.js';

/** The header dict of a .npy 1.0 file and where its data starts. */
function header(bytes: Uint8Array): { dict: string; dataOffset: number } {
  const length = bytes[8] | (bytes[9] << 8);
  return { dict: Buffer.from(bytes.subarray(10, 10 + length)).toString('latin1'), dataOffset: 10 + length };
}

test('a .npy 1.0 file: magic, uint8 C-order header padded to 64 bytes, then the data', (t) => {
  const data = Uint8Array.from({ length: 2 * 3 * 2 * 1 }, (_, i) => i * 20);
  const bytes = encodeNpyUint8(data, [2, 3, 2, 1]);
  t.deepEqual([...bytes.subarray(0, 8)], [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  const { dict, dataOffset } = header(bytes);
  t.regex(dict, /^\{'descr': '\|u1', 'fortran_order': False, 'shape': \(2, 3, 2, 1\), \} *\n$/);
  t.is(dataOffset % 64, 0);
  t.deepEqual([...bytes.subarray(dataOffset)], [...data]);
});

test('a one-dimensional shape is written as a Python one-tuple', (t) => {
  t.regex(header(encodeNpyUint8(new Uint8Array(5), [5])).dict, /'shape': \(5,\), \}/);
  t.throws(() => encodeNpyUint8(new Uint8Array(4), [5]), { message: /npy data holds 4 bytes, shape \[5\] needs 5/ });
});
