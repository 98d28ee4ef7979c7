import { describe, expect, it } from 'vitest';
import { isStorableText, unstorableTextAt } from './storable-text.js';

describe('storable text', () => {
  it('refuses NUL and unpaired surrogate halves, and takes pairs', () => {
    expect(isStorableText('plain ünïcode 😀')).toBe(true);
    expect(isStorableText('a\u0000b')).toBe(false);
    expect(isStorableText('\ud800')).toBe(false);
    expect(isStorableText('x\udc00')).toBe(false);
    expect(isStorableText('\ude00\ud83d')).toBe(false);
    expect(isStorableText('\\u0000')).toBe(true);
  });

  it('names the first unstorable string of a parsed body, key or value', () => {
    expect(unstorableTextAt({ name: 'ok', tags: ['a', { deep: 'b\u0000' }] })).toBe('tags[1].deep');
    expect(unstorableTextAt({ ['k\u0000']: 1 })).toBe('k\u0000');
    expect(unstorableTextAt('\ud800')).toBe('');
    expect(unstorableTextAt({ n: 1, b: true, z: null, s: 'fine' })).toBeUndefined();
  });
});
