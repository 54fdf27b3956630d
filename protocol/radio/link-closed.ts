/** A send on a Bluetooth link that closed before (or while) it could go out. */
export class LinkClosedError extends Error {
  /** Stable code, as the link protocol names a lost link. */
  readonly code = 'LINK_LOST';

  constructor(reason: string) {
    super(`Bluetooth link closed: ${reason}; reconnect to the device and retry`);
    this.name = 'LinkClosedError';
  }
}
