import { createContext, useContext, useEffect, useMemo, useSyncExternalStore, type ReactNode } from 'react';
import { createSocialApi, type SocialApi } from '../api/social';
import type { Tag } from '../api/types';
import { useAuth } from '../auth/AuthContext';
import { SocialStore, type ConnectionsData, type RequestCounts, type Resource } from './store';

const SocialContext = createContext<SocialStore | null>(null);

/** One store per signed-in person; a new person (or signing out) starts afresh. */
export function SocialProvider({ children }: { children: ReactNode }) {
  const { api, state } = useAuth();
  const userId = state.status === 'authenticated' ? state.user.id : null;
  const store = useMemo(
    () => (userId === null ? null : new SocialStore(createSocialApi(api.client))),
    [api, userId],
  );
  return <SocialContext.Provider value={store}>{children}</SocialContext.Provider>;
}

/** Provides a given store (tests, or embedding a screen on its own). */
export function SocialStoreProvider({ store, children }: { store: SocialStore; children: ReactNode }) {
  return <SocialContext.Provider value={store}>{children}</SocialContext.Provider>;
}

export function useSocialStore(): SocialStore {
  const store = useContext(SocialContext);
  if (store === null) throw new Error('useSocialStore needs a signed-in <SocialProvider>.');
  return store;
}

export function useSocialApi(): SocialApi {
  return useSocialStore().api;
}

function useSocialState() {
  const store = useSocialStore();
  return useSyncExternalStore(store.subscribe, store.getSnapshot);
}

/** The signed-in person's tags, loaded on first use. */
export function useTags(): Resource<Tag[]> {
  const store = useSocialStore();
  const { tags } = useSocialState();
  useEffect(() => store.ensureTags(), [store]);
  return tags ?? { status: 'loading' };
}

/** The signed-in person's connections, loaded on first use. */
export function useConnections(): Resource<ConnectionsData> {
  const store = useSocialStore();
  const { connections } = useSocialState();
  useEffect(() => store.ensureConnections(), [store]);
  return connections ?? { status: 'loading' };
}

export function useRequestCounts(): RequestCounts {
  return useSocialState().requests;
}

/** Unread notifications (null until known). */
export function useUnreadCount(): number | null {
  return useSocialState().unread;
}

/** Tags by id, for showing names and colours. */
export function useTagMap(): Map<string, Tag> {
  const tags = useTags();
  return useMemo(() => new Map((tags.data ?? []).map((t) => [t.id, t])), [tags.data]);
}
