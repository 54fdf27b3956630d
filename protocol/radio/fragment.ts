/**
 * Control messages on the GATT control characteristic may be longer than one ATT value
 * (MTU − 3 bytes), so each is cut into fragments that start with a 1-byte header:
 *
 * | bit  | meaning                                                          |
 * |-----:|------------------------------------------------------------------|
 * |    7 | more follows: another fragment of the same message comes next    |
 * |  0–6 | sequence: counts every fragment sent this way on this connection |
 *
 * The sequence runs on across messages (mod 128), so a lost or repeated fragment is caught
 * at once instead of silently joining two halves of different messages.
 */

/** Bytes of header in front of every control fragment. */
export const FRAGMENT_HEADER_BYTES = 1;

const MORE_FOLLOWS = 0x80;
const SEQUENCE_MASK = 0x7f;

/** A fragment that does not follow the one before it. */
export class FragmentError extends Error {
  /** Stable code. */
  readonly code = 'FRAGMENT_OUT_OF_SEQUENCE';

  constructor(expected: number, got: number) {
    super(
      `control fragment ${got} arrived where ${expected} was due: the link lost or ` +
        'repeated a fragment; reconnect to start a clean session',
    );
    this.name = 'FragmentError';
  }
}

/** Cuts messages into fragments of at most `fragmentBytes` (header included). */
export class Fragmenter {
  private sequence = 0;

  constructor(private readonly fragmentBytes: number) {
    if (fragmentBytes <= FRAGMENT_HEADER_BYTES) {
      throw new RangeError(`a fragment of ${fragmentBytes} bytes has no room for data`);
    }
  }

  /** The fragments of one message, in sending order; an empty message is one fragment. */
  split(message: Uint8Array): Uint8Array[] {
    const room = this.fragmentBytes - FRAGMENT_HEADER_BYTES;
    const fragments: Uint8Array[] = [];

    let offset = 0;
    do {
      const end = Math.min(offset + room, message.length);
      const fragment = new Uint8Array(FRAGMENT_HEADER_BYTES + end - offset);
      fragment[0] = (end < message.length ? MORE_FOLLOWS : 0) | this.sequence;
      fragment.set(message.subarray(offset, end), FRAGMENT_HEADER_BYTES);

      fragments.push(fragment);
      this.sequence = (this.sequence + 1) & SEQUENCE_MASK;
      offset = end;
    } while (offset < message.length);

    return fragments;
  }
}

/** Joins fragments back into whole messages. */
export class FragmentJoiner {
  private sequence = 0;
  private parts: Uint8Array[] = [];

  /** Takes the next fragment; returns the message it completes, or null when more follow. */
  push(fragment: Uint8Array): Uint8Array | null {
    const header = fragment[0];
    if (header === undefined) throw new FragmentError(this.sequence, -1);
    const sequence = header & SEQUENCE_MASK;
    if (sequence !== this.sequence) throw new FragmentError(this.sequence, sequence);

    this.sequence = (this.sequence + 1) & SEQUENCE_MASK;
    this.parts.push(fragment.subarray(FRAGMENT_HEADER_BYTES));
    if ((header & MORE_FOLLOWS) !== 0) return null;

    const message = concat(this.parts);
    this.parts = [];
    return message;
  }
}

function concat(parts: Uint8Array[]): Uint8Array {
  const total = parts.reduce((sum, part) => sum + part.length, 0);
  const out = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
