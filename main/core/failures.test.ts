import { describe, expect, it } from 'vitest';

import { CoreError, failure, toFailure } from './failures';

describe('failure wording', () => {
  it('words a device refusal with what to do', () => {
    expect(toFailure(Object.assign(new Error('refused'), { code: 'RECORDING_ACTIVE' }))).toEqual({
      code: 'RECORDING_ACTIVE',
      message: 'The device is recording.',
      hint: 'Stop the recording, then try again.',
    });
  });

  it('keeps the message of a code it has no words for', () => {
    const error = Object.assign(new Error('Device d1 already has assignment a1'), {
      code: 'ASSIGNMENT_ACTIVE',
    });
    const result = toFailure(error);
    expect(result.code).toBe('ASSIGNMENT_ACTIVE');
    expect(result.message).toBe('Device d1 already has assignment a1');
    expect(result.hint).not.toBe('');
  });

  it('gives thrown errors without a code the fallback code', () => {
    expect(toFailure(new TypeError('boom'), 'INTERNAL').code).toBe('INTERNAL');
  });

  it('adds detail after the standard words', () => {
    expect(failure('NOT_APPLIED', 'it runs v1.0.0-001').message).toMatch(/\(it runs v1.0.0-001\)$/);
    expect(new CoreError('LINK_LOST').message).toBe(failure('LINK_LOST').message);
  });
});

describe('.ufw problems', () => {
  it('point at the release file', () => {
    const error = Object.assign(new Error('.ufw header is damaged'), { code: 'UFW_BAD_HEADER' });
    const result = toFailure(error);
    expect(result.message).toBe('.ufw header is damaged');
    expect(result.hint).toMatch(/re-upload/);
  });
});
