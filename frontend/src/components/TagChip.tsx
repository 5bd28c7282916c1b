import type { ReactNode } from 'react';
import { tagClass } from '../social/palette';

/** A tag's name on its palette colour (the name carries the meaning; colour only echoes it). */
export function TagChip({ name, color, children }: { name: string; color: string; children?: ReactNode }) {
  return (
    <span className={`tag ${tagClass(color)}`}>
      <span className="tag__dot" aria-hidden="true" />
      <span className="tag__name">{name}</span>
      {children}
    </span>
  );
}
