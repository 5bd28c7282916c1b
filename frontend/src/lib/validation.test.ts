import { describe, expect, it } from 'vitest';
import {
  normalizeCode,
  normalizeUsername,
  validateCode,
  validateEmail,
  validateNewPassword,
  validateBio,
  validateDisplayName,
  validateUsername,
} from './validation';

describe('validation', () => {
  it('usernames: 3–30 of [a-z0-9_]', () => {
    expect(validateUsername('abc')).toBeNull();
    expect(validateUsername('a_b_9')).toBeNull();
    expect(validateUsername('x'.repeat(30))).toBeNull();
    expect(validateUsername('ab')).not.toBeNull();
    expect(validateUsername('x'.repeat(31))).not.toBeNull();
    expect(validateUsername('Abc')).not.toBeNull();
    expect(validateUsername('a-bc')).not.toBeNull();
    expect(normalizeUsername('MiXeD_1')).toBe('mixed_1');
  });

  it('passwords: 10–128 characters, counted as code points', () => {
    expect(validateNewPassword('a'.repeat(9))).not.toBeNull();
    expect(validateNewPassword('a'.repeat(10))).toBeNull();
    expect(validateNewPassword('a'.repeat(128))).toBeNull();
    expect(validateNewPassword('a'.repeat(129))).not.toBeNull();
    // Ten emoji are ten characters (twenty UTF-16 units).
    expect(validateNewPassword('🙂'.repeat(10))).toBeNull();
    expect(validateNewPassword('🙂'.repeat(128))).toBeNull();
    expect(validateNewPassword('🙂'.repeat(129))).not.toBeNull();
  });

  it('codes: exactly six digits', () => {
    expect(validateCode('123456')).toBeNull();
    expect(validateCode('12345')).not.toBeNull();
    expect(validateCode('12345a')).not.toBeNull();
    expect(normalizeCode(' 123-456 7')).toBe('123456');
  });

  it('emails: a plausible address', () => {
    expect(validateEmail('a@b.co')).toBeNull();
    expect(validateEmail(' a@b.co ')).toBeNull();
    expect(validateEmail('')).toBe('Enter your email address.');
    expect(validateEmail('a@b')).not.toBeNull();
    expect(validateEmail('a b@c.de')).not.toBeNull();
  });
});

describe('profile rules', () => {
  it('display names: none, or 1–50 characters on one line, counted as code points after trimming', () => {
    expect(validateDisplayName('')).toBeNull();
    expect(validateDisplayName('   ')).toBeNull();
    expect(validateDisplayName('  Ann Smith ')).toBeNull();
    expect(validateDisplayName('عائشة')).toBeNull();
    expect(validateDisplayName('é'.repeat(50))).toBeNull();
    expect(validateDisplayName(`  ${'🙂'.repeat(50)}  `)).toBeNull();
    expect(validateDisplayName('é'.repeat(51))).toBe('Use at most 50 characters.');
    expect(validateDisplayName('Ann\tSmith')).toMatch(/one line/);
    expect(validateDisplayName('Ann\u202Ehtims')).toBe('Remove the invisible text-direction characters.');
    expect(validateDisplayName('Ann\u2066x')).not.toBeNull();
  });

  it('bios: up to 300 characters, line breaks allowed, no control or text-direction characters', () => {
    expect(validateBio('')).toBeNull();
    expect(validateBio('Gardener.\nBaker.')).toBeNull();
    expect(validateBio('é'.repeat(300))).toBeNull();
    expect(validateBio('é'.repeat(301))).toBe('Use at most 300 characters.');
    expect(validateBio('bell\u0007')).not.toBeNull();
    expect(validateBio('a\u202Ab')).not.toBeNull();
  });
});
