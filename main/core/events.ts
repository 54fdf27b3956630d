import type { StationEvent } from '../../contract/station';

/** Fans station events out to subscribers; a throwing subscriber never stops the others. */
export class EventHub {
  private readonly listeners = new Set<(event: StationEvent) => void>();

  /** Adds a listener; returns the function that removes it. */
  subscribe(listener: (event: StationEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Delivers `event` to every listener. */
  emit(event: StationEvent): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(event);
      } catch {
        // A window that fails to render one event must not break the core or other windows.
      }
    }
  }

  /** Drops every listener. */
  clear(): void {
    this.listeners.clear();
  }
}
