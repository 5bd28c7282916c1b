import { useMemo, useState } from 'react';
import { estimateStrength } from '../lib/passwordStrength';
import { StrengthMeter } from './StrengthMeter';
import { TextField, type TextFieldProps } from './TextField';

/** Under every new-password field: the server's rule, and how to meet it well. */
export const NEW_PASSWORD_HINT = 'At least 10 characters. A few unrelated words make a strong password.';

interface PasswordFieldProps extends Omit<TextFieldProps, 'type' | 'addon' | 'extra' | 'describedBy'> {
  /** A new password: show the live strength meter and use autocomplete="new-password". */
  isNew?: boolean;
  /** Username/email, so the meter can penalise passwords built from them. */
  userInputs?: readonly string[];
}

export function PasswordField({ isNew = false, userInputs, id, value, ...rest }: PasswordFieldProps) {
  const [visible, setVisible] = useState(false);
  const strength = useMemo(
    () => (isNew && value !== '' ? estimateStrength(value, userInputs) : null),
    [isNew, value, userInputs],
  );
  const meterId = `${id}-strength`;

  return (
    <TextField
      id={id}
      value={value}
      type={visible ? 'text' : 'password'}
      autoComplete={isNew ? 'new-password' : 'current-password'}
      autoCapitalize="none"
      autoCorrect="off"
      spellCheck={false}
      describedBy={strength ? meterId : undefined}
      addon={
        <button
          type="button"
          className="field__toggle"
          aria-controls={id}
          aria-pressed={visible}
          onClick={() => setVisible((v) => !v)}
        >
          {visible ? 'Hide' : 'Show'}
          <span className="visually-hidden"> password</span>
        </button>
      }
      extra={strength ? <StrengthMeter id={meterId} strength={strength} /> : null}
      {...rest}
    />
  );
}
