import { describe, expect, it } from 'vitest';
import {
  normalizeCode,
  normalizeUsername,
  validateCode,
  validateEmail,
  validateNewPassword,
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
