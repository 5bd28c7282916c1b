import { useState, type FormEvent } from 'react';
import type { Relationship, SearchResult } from '../api/types';
import { useAuth } from '../auth/AuthContext';
import { FormError } from '../components/Alerts';
import { Button } from '../components/Button';
import { Page } from '../components/Page';
import { PersonName, personPath } from '../components/PersonName';
import { TextField } from '../components/TextField';
import { useLoad } from '../lib/useLoad';
import { USERNAME_MAX } from '../lib/validation';
import { Link, useNavigate, useSearchParam } from '../router/router';
import { RelationshipActions } from '../social/RelationshipActions';
import { useSocialApi } from '../social/SocialContext';

type Outcome =
  | { kind: 'idle' }
  | { kind: 'found'; query: string; users: SearchResult[] }
  | { kind: 'self'; query: string };

function clean(value: string): string {
  return value.trim().replace(/^@/, '').toLowerCase();
}

export function PeoplePage() {
  const api = useSocialApi();
  const { state } = useAuth();
  const navigate = useNavigate();
  // The search lives in the address (/people?q=…), so Back returns to the result.
  const q = clean(useSearchParam('q') ?? '');
  const [query, setQuery] = useState(q);
  const [error, setError] = useState<string | null>(null);
  const me = state.status === 'authenticated' ? state.user : null;

  const results = useLoad<Outcome>(`q:${q}`, async (signal) => {
    if (q === '') return { kind: 'idle' };
    if (me && q === me.username.toLowerCase()) return { kind: 'self', query: q };
    return { kind: 'found', query: q, users: await api.searchUsers(q, signal) };
  });
  const searching = q !== '' && results.status === 'loading';
  const outcome: Outcome = results.data ?? { kind: 'idle' };

  function search(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (searching) return;
    const wanted = clean(query);
    if (wanted === '') {
      setError('Enter the username of the person you are looking for.');
      document.getElementById('people-q')?.focus();
      return;
    }
    setError(null);
    if (wanted === q) results.reload();
    else navigate(`/people?${new URLSearchParams({ q: wanted }).toString()}`, { replace: true });
  }

  function changed(userId: string, relationship: Relationship) {
    if (outcome.kind !== 'found') return;
    results.set({ ...outcome, users: outcome.users.map((u) => (u.id === userId ? { ...u, relationship } : u)) });
  }

  return (
    <Page
      title="People"
      width="column"
      intro={<p>Find someone you know by their exact username. There is no browsing: you connect with people you know.</p>}
    >
      <form className="panel form search" role="search" noValidate onSubmit={search}>
        <TextField
          id="people-q"
          label="Username"
          value={query}
          onValueChange={(value) => {
            setQuery(value);
            setError(null);
          }}
          error={error}
          hint="For example: margaret_h"
          autoComplete="off"
          autoCapitalize="none"
          autoCorrect="off"
          spellCheck={false}
          maxLength={USERNAME_MAX + 1}
          enterKeyHint="search"
        />
        <FormError message={results.error} />
        <Button type="submit" busy={searching} busyLabel="Searching…">
          Search
        </Button>
      </form>

      <div className="results" aria-live="polite">
        {outcome.kind === 'self' ? (
          <p className="state state--empty">
            That’s you. <Link to={`/u/${encodeURIComponent(outcome.query)}`}>See your page</Link>.
          </p>
        ) : outcome.kind === 'found' && outcome.users.length === 0 ? (
          <p className="state state--empty">
            Nobody has the username “{outcome.query}”. Usernames are exact: check the spelling with the person.
          </p>
        ) : outcome.kind === 'found' ? (
          <ul className="plain-list" aria-label="Search results">
            {outcome.users.map((u) => (
              <li key={u.id} className="panel person-row">
                <h2 className="person-row__name">
                  <Link to={personPath(u)}>
                    <PersonName user={u} />
                  </Link>
                </h2>
                <RelationshipActions
                  user={u}
                  relationship={u.relationship}
                  onChange={(relationship) => changed(u.id, relationship)}
                />
              </li>
            ))}
          </ul>
        ) : null}
      </div>
    </Page>
  );
}
