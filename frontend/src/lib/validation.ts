/** Client-side checks mirroring the server's rules. The server stays the authority. */
import { hasAnyControlCharacter, hasBidiControls, hasControlCharacters } from './text';

export const USERNAME_MIN = 3;
export const USERNAME_MAX = 30;
export const PASSWORD_MIN = 10;
export const PASSWORD_MAX = 128;
export const CODE_LENGTH = 6;
export const DISPLAY_NAME_MAX = 50;
export const BIO_MAX = 300;

export const BIDI_CONTROLS_MESSAGE = 'Remove the invisible text-direction characters.';

/** Usernames are lower-case; we lower-case as the person types. */
export function normalizeUsername(value: string): string {
  return value.toLowerCase();
}

/** Keeps digits only (so pasting "123 456" works), at most six. */
export function normalizeCode(value: string): string {
  return value.replace(/\D/g, '').slice(0, CODE_LENGTH);
}

export function normalizeEmail(value: string): string {
  return value.trim();
}

/** Length in Unicode code points, as the server counts characters. */
function charCount(value: string): number {
  return [...value].length;
}

export function validateEmail(value: string): string | null {
  const email = normalizeEmail(value);
  if (email === '') return 'Enter your email address.';
  if (email.length > 254 || !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) {
    return 'Enter an email address like name@example.com.';
  }
  return null;
}

export function validateUsername(value: string): string | null {
  if (value === '') return 'Choose a username.';
  if (value.length < USERNAME_MIN || value.length > USERNAME_MAX) {
    return `Use ${USERNAME_MIN}–${USERNAME_MAX} characters.`;
  }
  if (!/^[a-z0-9_]+$/.test(value)) return 'Use only letters a–z, digits and underscores.';
  return null;
}

export function validateNewPassword(value: string): string | null {
  if (value === '') return 'Choose a password.';
  const n = charCount(value);
  if (n < PASSWORD_MIN) return `Use at least ${PASSWORD_MIN} characters.`;
  if (n > PASSWORD_MAX) return `Use at most ${PASSWORD_MAX} characters.`;
  return null;
}

export function validateCode(value: string): string | null {
  if (value === '') return 'Enter the 6-digit code from the email.';
  if (!/^\d{6}$/.test(value)) return 'The code is 6 digits.';
  return null;
}

export function validateRequired(value: string, message: string): string | null {
  return value.trim() === '' ? message : null;
}

/** A display name: empty (none), or 1–50 characters after trimming, on one line, without text-direction controls. */
export function validateDisplayName(value: string): string | null {
  const name = value.trim();
  if (name === '') return null;
  if (charCount(name) > DISPLAY_NAME_MAX) return `Use at most ${DISPLAY_NAME_MAX} characters.`;
  if (hasAnyControlCharacter(name)) return 'Keep your display name on one line, without invisible control characters.';
  if (hasBidiControls(name)) return BIDI_CONTROLS_MESSAGE;
  return null;
}

/** A bio: empty (none), or up to 300 characters after trimming; line breaks are fine. */
export function validateBio(value: string): string | null {
  const bio = value.trim();
  if (bio === '') return null;
  if (charCount(bio) > BIO_MAX) return `Use at most ${BIO_MAX} characters.`;
  if (hasControlCharacters(bio)) return 'Remove the invisible control characters from the text.';
  if (hasBidiControls(bio)) return BIDI_CONTROLS_MESSAGE;
  return null;
}
