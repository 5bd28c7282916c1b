import { CODE_LENGTH } from '../lib/validation';
import { TextField, type TextFieldProps } from './TextField';

type CodeFieldProps = Omit<TextFieldProps, 'label' | 'type' | 'inputMode' | 'autoComplete' | 'pattern' | 'maxLength'>;

/** The 6-digit code from an email (sign-up, password reset, email change). */
export function CodeField({ className, ...rest }: CodeFieldProps) {
  return (
    <TextField
      label="Code from the email"
      inputMode="numeric"
      autoComplete="one-time-code"
      pattern={`[0-9]{${CODE_LENGTH}}`}
      maxLength={CODE_LENGTH}
      className={className ? `input--code ${className}` : 'input--code'}
      required
      {...rest}
    />
  );
}
