import type { Logger } from 'pino';

import type { BlobStore } from '../blob';
import type { Repos } from '../store/repos';
import type { CloudKeys } from './keys';

/** Settings the domain rules read. */
export interface CloudSettings {
  /** Delivered but not applied for this long → failed "timed out". */
  deliveryTimeoutMs: number;
  /** Told to devices in every heartbeat reply. */
  heartbeatIntervalS: number;
  /** Largest upload accepted. */
  maxUploadBytes: number;
  /** Life of presigned download URLs. */
  urlTtlS: number;
  /** Where uploads are written before they are checked. */
  tmpDir: string;
}

/** What every domain service works with. */
export interface CloudContext {
  /** The repositories over the store. */
  repos: Repos;
  /** Where firmware files live. */
  blob: BlobStore;
  /** The cloud's secrets. */
  keys: CloudKeys;
  /** Structured log; state changes at info. */
  log: Logger;
  /** Tunables. */
  settings: CloudSettings;
}
