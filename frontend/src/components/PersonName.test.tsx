import { render } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { PersonName, personLabel, personPath } from './PersonName';

describe('PersonName', () => {
  it('shows the display name with the @username beside it, quieter', () => {
    const { container } = render(<PersonName user={{ username: 'ann', display_name: 'Ann Smith' }} />);
    expect(container.textContent).toBe('Ann Smith @ann');
    expect(container.querySelector('.person-name__display')!.textContent).toBe('Ann Smith');
    expect(container.querySelector('.person-name__handle')!.textContent).toBe('@ann');
  });

  it('shows just the @username without a display name (null, blank or not sent)', () => {
    for (const display_name of [null, '   ', undefined]) {
      const { container, unmount } = render(<PersonName user={{ username: 'ann', display_name }} />);
      expect(container.textContent).toBe('@ann');
      expect(container.querySelector('.person-name__handle')).toBeNull();
      unmount();
    }
  });

  it('isolates a right-to-left name, so it cannot reorder the username beside it', () => {
    const { container } = render(<PersonName user={{ username: 'aisha', display_name: 'عائشة' }} />);
    expect(container.querySelector('bdi')!.textContent).toBe('عائشة');
    expect(container.textContent).toBe('عائشة @aisha');
  });

  it('has a one-string form and a path', () => {
    expect(personLabel({ username: 'ann', display_name: 'Ann Smith' })).toBe('Ann Smith (@ann)');
    expect(personLabel({ username: 'ann', display_name: null })).toBe('@ann');
    expect(personPath({ username: 'a/b', display_name: null })).toBe('/u/a%2Fb');
  });
});
