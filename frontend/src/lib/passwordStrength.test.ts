import { describe, expect, it } from 'vitest';
import { estimateStrength } from './passwordStrength';

describe('estimateStrength', () => {
  it('calls anything under 10 characters too short, saying how many are missing', () => {
    expect(estimateStrength('abc')).toMatchObject({ score: 0, label: 'Too short', feedback: '7 more characters needed.' });
    expect(estimateStrength('abcdefghi').feedback).toBe('1 more character needed.');
  });

  it('scores common passwords, with decorations, as too weak', () => {
    expect(estimateStrength('Password123!').score).toBe(0);
    expect(estimateStrength('qwertyuiop').score).toBe(0);
  });

  it('sees through repeats, sequences and keyboard walks', () => {
    expect(estimateStrength('aaaaaaaaaaaa').score).toBe(1);
    expect(estimateStrength('abcdefghijkl').score).toBe(1);
    expect(estimateStrength('1234567890').score).toBe(1);
    expect(estimateStrength('asdfasdfasdf').score).toBeLessThanOrEqual(1);
  });

  it('penalises passwords built from the username or email', () => {
    const alone = estimateStrength('margaret1987x');
    const withName = estimateStrength('margaret1987x', ['margaret', 'margaret@example.com']);
    expect(withName.score).toBeLessThan(alone.score);
    expect(withName.feedback).toBe('Avoid using your username or email.');
  });

  it('rates long, varied passphrases highly', () => {
    expect(estimateStrength('tidy otter lamp river').score).toBe(4);
    expect(estimateStrength('Vq7#mL2p!xR9').score).toBeGreaterThanOrEqual(3);
  });

  it('increases with length for the same kind of password', () => {
    const scores = ['kfjwmzqb', 'kfjwmzqbtd', 'kfjwmzqbtdnx', 'kfjwmzqbtdnxhvpc', 'kfjwmzqbtdnxhvpcrgya'].map(
      (p) => estimateStrength(p).score,
    );
    expect(scores).toEqual([...scores].sort((a, b) => a - b));
    expect(scores[0]).toBe(0);
    expect(scores.at(-1)).toBe(4);
  });
});
