import { createContext, type ReactNode, useContext, useState, useSyncExternalStore } from 'react';

import type { BotaApi } from '../../../contract/ipc';
import { type StationSnapshot, StationStore } from './station-store';

/** What every screen reaches: the API and the live station snapshot. */
interface StationContextValue {
  /** Calls to main. */
  api: BotaApi;
  /** The live store. */
  store: StationStore;
}

const StationContext = createContext<StationContextValue | null>(null);

/** Provides the API and a store built on it to everything below. */
export function StationProvider(props: { api: BotaApi; children: ReactNode }) {
  // One store for the window's life: it subscribes to events once.
  const [value] = useState(() => ({ api: props.api, store: new StationStore(props.api) }));
  return <StationContext.Provider value={value}>{props.children}</StationContext.Provider>;
}

function useStationContext(): StationContextValue {
  const value = useContext(StationContext);
  if (!value) throw new Error('useApi and useStation need a StationProvider above them');
  return value;
}

/** The API for calls. */
export function useApi(): BotaApi {
  return useStationContext().api;
}

/** The live station snapshot; re-renders on every change. */
export function useStation(): StationSnapshot {
  const { store } = useStationContext();
  return useSyncExternalStore(store.subscribe, store.getSnapshot);
}
