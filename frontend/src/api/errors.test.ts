import { describe, expect, it } from 'vitest';
import { ApiError, errorMessage, formatWait, parseRetryAfter } from './errors';

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates, and rejects junk', () => {
    const now = Date.parse('2025-01-01T00:00:00Z');
    expect(parseRetryAfter('30', now)).toBe(30);
    expect(parseRetryAfter(' 7 ', now)).toBe(7);
    expect(parseRetryAfter('Wed, 01 Jan 2025 00:02:00 GMT', now)).toBe(120);
    expect(parseRetryAfter('Tue, 31 Dec 2024 23:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeNull();
    expect(parseRetryAfter('-5', now)).toBeNull();
    expect(parseRetryAfter(null, now)).toBeNull();
  });
});

describe('formatWait', () => {
  it('uses seconds under a minute and whole minutes, rounded up, above', () => {
    expect(formatWait(1)).toBe('1 s');
    expect(formatWait(59)).toBe('59 s');
    expect(formatWait(60)).toBe('1 min');
    expect(formatWait(61)).toBe('2 min');
    expect(formatWait(3600)).toBe('60 min');
  });
});

describe('errorMessage', () => {
  it('adds the wait to rate-limit messages only', () => {
    const limited = new ApiError({ code: 'rate_limited', message: 'Too many tries.', status: 429, retryAfter: 5 });
    expect(errorMessage(limited)).toBe('Too many tries. Try again in 5 s.');
    const plain = new ApiError({ code: 'weak_password', message: 'Too weak.', status: 400 });
    expect(errorMessage(plain)).toBe('Too weak.');
  });

  it('says the wait once when the server’s message already says it', () => {
    const said = new ApiError({
      code: 'rate_limited',
      message: 'Too many attempts. Please wait 50 minutes before trying again.',
      status: 429,
      retryAfter: 3000,
    });
    expect(errorMessage(said)).toBe('Too many attempts. Please wait 50 minutes before trying again.');
    const busy = new ApiError({ code: 'service_busy', message: 'We are busy. Please try again in a moment.', status: 503, retryAfter: 2 });
    expect(errorMessage(busy)).toBe('We are busy. Please try again in a moment.');
  });

  it('has a generic sentence for anything that is not an ApiError', () => {
    expect(errorMessage(new Error('boom'))).toBe('Something unexpected happened. Please try again.');
  });
});
