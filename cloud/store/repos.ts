import { AssignmentsRepo } from './assignments-repo';
import { AuditRepo } from './audit-repo';
import type { Store } from './database';
import { DevicesRepo } from './devices-repo';
import { ReleasesRepo } from './releases-repo';
import { TokensRepo } from './tokens-repo';

/** Every repository over one store: the only code that writes SQL. */
export interface Repos {
  /** The store itself, for transactions. */
  store: Store;
  /** Releases and their files. */
  releases: ReleasesRepo;
  /** Devices and heartbeats. */
  devices: DevicesRepo;
  /** Assignments and their history. */
  assignments: AssignmentsRepo;
  /** API tokens. */
  tokens: TokensRepo;
  /** The audit log. */
  audit: AuditRepo;
}

/** Builds the repositories over an open store. */
export function reposFor(store: Store): Repos {
  return {
    store,
    releases: new ReleasesRepo(store),
    devices: new DevicesRepo(store),
    assignments: new AssignmentsRepo(store),
    tokens: new TokensRepo(store),
    audit: new AuditRepo(store),
  };
}
