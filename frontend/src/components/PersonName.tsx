import type { UserRef } from '../api/types';

/** What naming a person takes: their username, and the display name when the server shows it. */
export type Named = Pick<UserRef, 'username'> & { display_name?: string | null };

/** The display name to show, or null (none, blank, or not shown to this viewer). */
export function displayNameOf(user: Named): string | null {
  const name = user.display_name?.trim();
  return name ? name : null;
}

/**
 * A person in one string, where markup does not fit (a page title):
 * "Ann Smith (@ann)", or "@ann" without a display name.
 */
export function personLabel(user: Named): string {
  const name = displayNameOf(user);
  return name ? `${name} (@${user.username})` : `@${user.username}`;
}

/** Their page: /u/<username>. */
export function personPath(user: Named): string {
  return `/u/${encodeURIComponent(user.username)}`;
}

/**
 * A person as every screen shows them: the display name, prominent, with
 * the @username muted beside it, or just "@username" when there is no
 * display name. The username is always there (a display name is not
 * unique). The name sits in <bdi>, so one in a right-to-left script cannot
 * reorder the username beside it. Wrap it in a link where it leads to them.
 */
export function PersonName({ user }: { user: Named }) {
  const name = displayNameOf(user);
  if (name === null) return <span className="person-name">@{user.username}</span>;
  return (
    <span className="person-name">
      <bdi className="person-name__display">{name}</bdi>{' '}
      <span className="person-name__handle">@{user.username}</span>
    </span>
  );
}
