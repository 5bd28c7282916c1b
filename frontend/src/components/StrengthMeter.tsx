import type { Strength } from '../lib/passwordStrength';

/** Four bars plus a text label; the text carries the meaning, colour only echoes it. */
export function StrengthMeter({ id, strength }: { id: string; strength: Strength }) {
  return (
    <div className="strength" data-score={strength.score}>
      <div className="strength__bars" aria-hidden="true">
        <span />
        <span />
        <span />
        <span />
      </div>
      <p id={id} className="strength__text" aria-live="polite">
        <span className="strength__label">Strength: {strength.label}.</span>
        {strength.feedback ? <> {strength.feedback}</> : null}
      </p>
    </div>
  );
}
