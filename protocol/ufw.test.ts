import { describe, expect, it } from 'vitest';

import { crc32 } from './crc32';
import { buildImage, describeImage } from './image';
import { encodeUfw, parseUfw, parseUfwHeader, UFW_HEADER_BYTES, UfwError } from './ufw';

const image = buildImage({ model: 'bota-pin', version: 'v1.0.1-001' }, 4096);
const good = () => encodeUfw({ model: 'bota-pin', version: 'v1.0.1-001' }, image);

function fixHeaderCrc(file: Buffer): Buffer {
  file.writeUInt32LE(crc32(file.subarray(0, 60)), 60);
  return file;
}

function expectCode(bytes: Uint8Array, code: string, message: RegExp): void {
  try {
    parseUfw(bytes);
  } catch (error) {
    expect(error).toBeInstanceOf(UfwError);
    expect((error as UfwError).code).toBe(code);
    expect((error as UfwError).message).toMatch(message);
    return;
  }
  throw new Error(`expected ${code}, but the file parsed`);
}

describe('.ufw', () => {
  it('round-trips header and image', () => {
    const parsed = parseUfw(good());
    expect(parsed.header).toMatchObject({
      model: 'bota-pin',
      version: 'v1.0.1-001',
      imageLength: 4096,
      imageCrc32: crc32(image),
    });
    expect(Buffer.from(parsed.image).equals(image)).toBe(true);
    expect(describeImage(parsed.image)).toEqual({ model: 'bota-pin', version: 'v1.0.1-001' });
  });

  it('carries a signature', () => {
    const signature = new Uint8Array(64).fill(7);
    const file = encodeUfw({ model: 'bota-note', version: 'v2.0.0', signature }, image);
    expect(parseUfw(file).header.signature).toEqual(signature);
  });

  it('rejects a file shorter than the header', () => {
    expectCode(good().subarray(0, 100), 'UFW_TRUNCATED', /shorter than the 128-byte/);
  });

  it('rejects a truncated image', () => {
    expectCode(good().subarray(0, UFW_HEADER_BYTES + 100), 'UFW_TRUNCATED', /only 100 bytes/);
  });

  it('rejects trailing bytes', () => {
    const file = Buffer.concat([good(), Buffer.alloc(5)]);
    expectCode(file, 'UFW_LENGTH_MISMATCH', /5 bytes after/);
  });

  it('rejects the wrong magic', () => {
    const file = good();
    file.write('ZIP!', 0, 'latin1');
    expectCode(file, 'UFW_BAD_MAGIC', /not a \.ufw file/);
  });

  it('rejects an unknown model', () => {
    const file = good();
    file.writeUInt8(9, 8);
    expectCode(fixHeaderCrc(file), 'UFW_UNKNOWN_MODEL', /model code 9/);
  });

  it('rejects an image too large for the model', () => {
    const file = good();
    file.writeUInt32LE(64 * 1024 * 1024, 12);
    expectCode(fixHeaderCrc(file), 'UFW_TOO_LARGE', /slot holds at most/);
  });

  it('rejects a wrong image CRC', () => {
    const file = good();
    file.writeUInt8(file.readUInt8(UFW_HEADER_BYTES + 10) ^ 0xff, UFW_HEADER_BYTES + 10);
    expectCode(file, 'UFW_CRC_MISMATCH', /image CRC32 is 0x[0-9a-f]{8} but the header says/);
  });

  it('rejects a damaged header', () => {
    const file = good();
    file.writeUInt32LE(1234, 12);
    expectCode(file, 'UFW_BAD_HEADER', /its own CRC32/);
  });

  it('rejects an unsupported format version', () => {
    const file = good();
    file.writeUInt16LE(2, 4);
    expectCode(fixHeaderCrc(file), 'UFW_UNSUPPORTED_FORMAT', /format 2/);
  });

  it('rejects a bad version string', () => {
    const file = good();
    file.write('banana\0\0\0\0', 20, 'ascii');
    expectCode(fixHeaderCrc(file), 'UFW_BAD_VERSION', /banana/);
  });

  it('parses a header alone', () => {
    expect(parseUfwHeader(good().subarray(0, UFW_HEADER_BYTES)).imageLength).toBe(4096);
  });

  it('refuses to encode a bad version', () => {
    expect(() => encodeUfw({ model: 'bota-pin', version: '1.0' }, image)).toThrow(UfwError);
  });
});
