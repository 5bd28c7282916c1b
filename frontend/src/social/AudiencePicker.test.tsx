import { useState } from 'react';
import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { Connection, Tag } from '../api/types';
import { Router } from '../router/router';
import { connection, tag } from '../test/renderSocial';
import { describeAudience, type AudienceChoice } from './audience';
import { AudiencePicker } from './AudiencePicker';

const FAMILY = tag('t-fam', 'Family', 'family');
const WORK = tag('t-work', 'Work', 'work');
const FRIENDS = tag('t-fr', 'Friends', 'friends');
const TAGS = [FAMILY, FRIENDS, WORK];

// 12 people tagged Family or Work (one has both), 3 Friends only, 5 untagged: 20 connections.
const CONNECTIONS: Connection[] = [
  ...Array.from({ length: 7 }, (_, i) => connection(`f${i}`, `fam${i}`, [FAMILY.id])),
  ...Array.from({ length: 4 }, (_, i) => connection(`w${i}`, `work${i}`, [WORK.id])),
  connection('both', 'both', [FAMILY.id, WORK.id, FRIENDS.id]),
  ...Array.from({ length: 3 }, (_, i) => connection(`r${i}`, `friend${i}`, [FRIENDS.id])),
  ...Array.from({ length: 5 }, (_, i) => connection(`n${i}`, `none${i}`)),
];

function Harness({
  tags = TAGS,
  connections = CONNECTIONS,
  initial = { audience: 'connections', tagIds: [] },
}: {
  tags?: Tag[] | null;
  connections?: Connection[] | null;
  initial?: AudienceChoice;
}) {
  const [value, setValue] = useState<AudienceChoice>(initial);
  return (
    <Router>
      <AudiencePicker id="a" value={value} onChange={setValue} tags={tags} connections={connections} />
      <output data-testid="chosen">{value.tagIds.join(',')}</output>
    </Router>
  );
}

const summary = () => screen.getByText(/^(Visible|Choose)/);

describe('describeAudience', () => {
  it('says who will see a post for each audience', () => {
    expect(describeAudience({ audience: 'connections', tagIds: [] }, CONNECTIONS, TAGS)).toBe(
      'Visible to all 20 of your connections.',
    );
    expect(describeAudience({ audience: 'connections', tagIds: [] }, CONNECTIONS.slice(0, 1), TAGS)).toBe(
      'Visible to your 1 connection.',
    );
    expect(describeAudience({ audience: 'connections', tagIds: [] }, [], TAGS)).toMatch(/You have none yet/);
    expect(describeAudience({ audience: 'private', tagIds: [] }, CONNECTIONS, TAGS)).toBe('Visible only to you.');
  });

  it('counts each person once, however many of the chosen tags they carry', () => {
    expect(describeAudience({ audience: 'tags', tagIds: [WORK.id, FAMILY.id] }, CONNECTIONS, TAGS)).toBe(
      'Visible to 12 people tagged Family or Work.',
    );
    expect(describeAudience({ audience: 'tags', tagIds: [FAMILY.id, FRIENDS.id, WORK.id] }, CONNECTIONS, TAGS)).toBe(
      'Visible to 15 people tagged Family, Friends or Work.',
    );
    expect(
      describeAudience({ audience: 'tags', tagIds: [WORK.id] }, [connection('x', 'x', [WORK.id])], TAGS),
    ).toBe('Visible to 1 person tagged Work.');
  });

  it('is honest when no one carries the tags, or none are chosen', () => {
    expect(describeAudience({ audience: 'tags', tagIds: [WORK.id] }, [], TAGS)).toBe(
      'Visible to nobody yet: no one is tagged Work. Only you will see it for now.',
    );
    expect(describeAudience({ audience: 'tags', tagIds: [] }, CONNECTIONS, TAGS)).toBe(
      'Choose at least one tag to say who will see it.',
    );
  });
});

describe('AudiencePicker', () => {
  it('switches between the three audiences and describes each in words', async () => {
    const user = userEvent.setup();
    render(<Harness />);

    expect(screen.getByRole('group', { name: 'Who can see this?' })).toBeTruthy();
    expect(screen.getByRole<HTMLInputElement>('radio', { name: 'All my connections' }).checked).toBe(true);
    expect(summary().textContent).toBe('Visible to all 20 of your connections.');
    expect(summary().getAttribute('aria-live')).toBe('polite');
    expect(screen.queryByRole('group', { name: /Tags/ })).toBeNull();

    await user.click(screen.getByRole('radio', { name: 'Only me' }));
    expect(summary().textContent).toBe('Visible only to you.');

    await user.click(screen.getByRole('radio', { name: 'People with chosen tags' }));
    expect(summary().textContent).toBe('Choose at least one tag to say who will see it.');
    const picker = screen.getByRole('group', { name: /Tags/ });

    await user.click(within(picker).getByRole('checkbox', { name: 'Work' }));
    expect(summary().textContent).toBe('Visible to 5 people tagged Work.');
    await user.click(within(picker).getByRole('checkbox', { name: 'Family' }));
    expect(summary().textContent).toBe('Visible to 12 people tagged Family or Work.');
    await user.click(within(picker).getByRole('checkbox', { name: 'Work' }));
    expect(summary().textContent).toBe('Visible to 8 people tagged Family.');
    expect(screen.getByTestId('chosen').textContent).toBe(FAMILY.id);
  });

  it('allows 1 to 10 tags: at ten, the others are disabled and it says why', async () => {
    const user = userEvent.setup();
    const many = Array.from({ length: 12 }, (_, i) => tag(`t${i}`, `Tag ${i + 1}`));
    render(<Harness tags={many} connections={[]} initial={{ audience: 'tags', tagIds: [] }} />);

    for (let i = 1; i <= 10; i++) {
      await user.click(screen.getByRole('checkbox', { name: `Tag ${i}` }));
    }
    expect(screen.getByTestId('chosen').textContent?.split(',')).toHaveLength(10);
    expect(screen.getByRole<HTMLInputElement>('checkbox', { name: 'Tag 11' }).disabled).toBe(true);
    expect(screen.getByRole<HTMLInputElement>('checkbox', { name: 'Tag 12' }).disabled).toBe(true);
    expect(screen.getByRole<HTMLInputElement>('checkbox', { name: 'Tag 10' }).disabled).toBe(false);
    expect(screen.getByText(/up to 10 tags/)).toBeTruthy();

    await user.click(screen.getByRole('checkbox', { name: 'Tag 11' }));
    expect(screen.getByTestId('chosen').textContent?.split(',')).toHaveLength(10);

    // Unchoosing one frees a place.
    await user.click(screen.getByRole('checkbox', { name: 'Tag 3' }));
    expect(screen.getByRole<HTMLInputElement>('checkbox', { name: 'Tag 11' }).disabled).toBe(false);
    expect(screen.queryByText(/up to 10 tags/)).toBeNull();
  });

  it('points to the Tags screen when there are no tags, and says when tags are loading', () => {
    const { unmount } = render(<Harness tags={[]} initial={{ audience: 'tags', tagIds: [] }} />);
    expect(screen.getByRole('link', { name: 'Create tags' }).getAttribute('href')).toBe('/tags');
    unmount();

    render(<Harness tags={null} connections={null} initial={{ audience: 'tags', tagIds: [] }} />);
    expect(screen.getByText('Loading your tags…').getAttribute('role')).toBe('status');
    expect(summary().textContent).toBe('Choose at least one tag to say who will see it.');
  });
});
