/**
 * A small password-strength heuristic for the live meter. It is advisory: the
 * server makes the real decision (and may reject a password this calls "good").
 * Deliberately tiny: no dictionary is shipped in the bundle.
 */
import { PASSWORD_MIN } from './validation';

export type StrengthScore = 0 | 1 | 2 | 3 | 4;

export interface Strength {
  score: StrengthScore;
  label: string;
  /** One short suggestion, or null when there is nothing to add. */
  feedback: string | null;
}

export const STRENGTH_LABELS: Record<StrengthScore, string> = {
  0: 'Too weak',
  1: 'Weak',
  2: 'Fair',
  3: 'Good',
  4: 'Strong',
};

// The most common passwords and their stems; matched after stripping digits
// and symbols from both ends ("Password123!" -> "password").
const COMMON = new Set([
  'password', 'passw0rd', 'qwerty', 'qwertyuiop', 'letmein', 'welcome', 'admin',
  'iloveyou', 'monkey', 'dragon', 'football', 'baseball', 'sunshine', 'princess',
  'abc', 'abcdef', 'master', 'shadow', 'superman', 'trustno', 'login', 'starwars',
  'whatever', 'freedom', 'secret', 'changeme', 'hello', 'charlie', 'donald',
  'qazwsx', 'zxcvbnm', 'asdfghjkl', 'mustang', 'michael', 'jennifer', 'hunter',
]);

const KEYBOARD_ROWS = ['qwertyuiop', 'asdfghjkl', 'zxcvbnm', '1234567890'];

function charsetSize(password: string): number {
  let size = 0;
  if (/[a-z]/.test(password)) size += 26;
  if (/[A-Z]/.test(password)) size += 26;
  if (/\d/.test(password)) size += 10;
  if (/[^\w\s]|_/.test(password)) size += 33;
  if (/\s/.test(password)) size += 1;
  // eslint-disable-next-line no-control-regex
  if (/[^\x00-\x7f]/.test(password)) size += 100;
  return Math.max(size, 1);
}

/** Length discounting repeats ("aaaa") and runs ("abcd", "4321"): each counts a quarter. */
function effectiveLength(chars: string[]): { length: number; patterned: boolean } {
  let length = 0;
  let patterned = 0;
  for (let i = 0; i < chars.length; i++) {
    const code = chars[i]!.toLowerCase().codePointAt(0)!;
    const prev = i > 0 ? chars[i - 1]!.toLowerCase().codePointAt(0)! : NaN;
    const prev2 = i > 1 ? chars[i - 2]!.toLowerCase().codePointAt(0)! : NaN;
    const step = code - prev;
    const isRepeat = step === 0;
    const isRun = Math.abs(step) === 1 && (i < 2 || prev - prev2 === step);
    if (isRepeat || isRun) {
      length += 0.25;
      patterned += 1;
    } else {
      length += 1;
    }
  }
  return { length, patterned: patterned >= 3 };
}

function stripEnds(value: string): string {
  return value.replace(/^[\d\W_]+|[\d\W_]+$/g, '');
}

export function estimateStrength(password: string, userInputs: readonly string[] = []): Strength {
  const chars = [...password];
  if (chars.length < PASSWORD_MIN) {
    const missing = PASSWORD_MIN - chars.length;
    return {
      score: 0,
      label: 'Too short',
      feedback: `${missing} more character${missing === 1 ? '' : 's'} needed.`,
    };
  }

  const lower = password.toLowerCase();
  if (COMMON.has(stripEnds(lower))) {
    return { score: 0, label: STRENGTH_LABELS[0], feedback: 'This is a very common password.' };
  }

  let { length, patterned } = effectiveLength(chars);
  let feedback: string | null = null;

  // Parts of the person's own username or email add almost nothing.
  for (const input of userInputs) {
    const token = input.toLowerCase().split('@')[0] ?? '';
    if (token.length >= 3 && lower.includes(token)) {
      length -= [...token].length * 0.75;
      feedback = 'Avoid using your username or email.';
    }
  }

  // Keyboard walks ("qwerty", "asdf") and repeated blocks ("abcabc").
  for (const row of KEYBOARD_ROWS) {
    for (let i = 0; i + 4 <= row.length; i++) {
      if (lower.includes(row.slice(i, i + 4))) {
        length -= 2;
        patterned = true;
        break;
      }
    }
  }
  const repeated = /(.{2,}?)\1+/.exec(lower);
  if (repeated) {
    length -= (repeated[0].length - repeated[1]!.length) * 0.75;
    patterned = true;
  }

  const bits = Math.max(0, length) * Math.log2(charsetSize(password));
  const unique = new Set(chars).size;

  let score: StrengthScore;
  if (bits < 36 || unique < 4) score = 1;
  else if (bits < 56) score = 2;
  else if (bits < 76) score = 3;
  else score = 4;

  if (feedback === null && patterned && score < 4) {
    feedback = 'Avoid repeats, sequences and keyboard patterns.';
  }
  if (feedback === null && score < 3) {
    feedback = 'Add more words or characters; a few unrelated words work well.';
  }
  return { score, label: STRENGTH_LABELS[score], feedback };
}
