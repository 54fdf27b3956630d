import { DEVICE_MODELS, modelInfo } from '../../protocol/models';

/** The first schema: every table of the cloud. Times are ISO 8601 UTC text (sortable). */
export const SCHEMA_V1 = `
CREATE TABLE device_models (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  code INTEGER NOT NULL UNIQUE,
  serial_prefix TEXT NOT NULL,
  slot_bytes INTEGER NOT NULL
);

CREATE TABLE releases (
  id TEXT PRIMARY KEY,
  version TEXT NOT NULL,
  version_rank INTEGER NOT NULL,
  model TEXT NOT NULL REFERENCES device_models(id),
  notes TEXT NOT NULL DEFAULT '',
  status TEXT NOT NULL CHECK (status IN ('draft', 'released')),
  build_version TEXT,
  created_at TEXT NOT NULL,
  released_at TEXT,
  updated_at TEXT NOT NULL,
  revision INTEGER NOT NULL DEFAULT 1,
  UNIQUE (model, version)
);
CREATE INDEX releases_by_model ON releases(model, status, version_rank);

CREATE TABLE release_files (
  release_id TEXT NOT NULL REFERENCES releases(id) ON DELETE CASCADE,
  kind TEXT NOT NULL CHECK (kind IN ('bin', 'ufw')),
  blob_key TEXT NOT NULL,
  size INTEGER NOT NULL,
  crc32 INTEGER NOT NULL,
  sha256 TEXT NOT NULL,
  image_size INTEGER NOT NULL,
  image_crc32 INTEGER NOT NULL,
  uploaded_at TEXT NOT NULL,
  PRIMARY KEY (release_id, kind)
);

CREATE TABLE devices (
  id TEXT PRIMARY KEY,
  serial TEXT NOT NULL UNIQUE,
  model TEXT NOT NULL REFERENCES device_models(id),
  secret_box TEXT NOT NULL,
  firmware_version TEXT,
  battery INTEGER,
  recording INTEGER,
  last_seen_at TEXT,
  last_relayed INTEGER,
  last_heartbeat_ms INTEGER NOT NULL DEFAULT 0,
  heartbeat_seq INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  revision INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX devices_by_model ON devices(model, firmware_version);

CREATE TABLE heartbeats (
  device_id TEXT NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
  slot INTEGER NOT NULL,
  seq INTEGER NOT NULL,
  id TEXT NOT NULL,
  at TEXT NOT NULL,
  firmware_version TEXT NOT NULL,
  battery INTEGER NOT NULL,
  recording INTEGER NOT NULL,
  relayed INTEGER NOT NULL,
  PRIMARY KEY (device_id, slot)
) WITHOUT ROWID;

CREATE TABLE assignments (
  id TEXT PRIMARY KEY,
  device_id TEXT NOT NULL REFERENCES devices(id),
  release_id TEXT NOT NULL REFERENCES releases(id),
  status TEXT NOT NULL
    CHECK (status IN ('pending', 'delivered', 'applied', 'failed', 'cancelled')),
  reason TEXT,
  delivered_at TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  revision INTEGER NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX assignments_one_active ON assignments(device_id)
  WHERE status IN ('pending', 'delivered');
CREATE INDEX assignments_by_device ON assignments(device_id, id);
CREATE INDEX assignments_by_status ON assignments(status, delivered_at);

CREATE TABLE assignment_events (
  id TEXT PRIMARY KEY,
  assignment_id TEXT NOT NULL REFERENCES assignments(id),
  status TEXT NOT NULL,
  reason TEXT,
  actor TEXT NOT NULL,
  at TEXT NOT NULL
);
CREATE INDEX assignment_events_by_assignment ON assignment_events(assignment_id, id);

CREATE TABLE api_tokens (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('admin', 'operator', 'viewer')),
  token_hash TEXT NOT NULL UNIQUE,
  created_at TEXT NOT NULL
);

CREATE TABLE audit_log (
  id TEXT PRIMARY KEY,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  subject TEXT NOT NULL,
  detail TEXT NOT NULL,
  at TEXT NOT NULL
);

${DEVICE_MODELS.map((id) => {
  const info = modelInfo(id);
  return (
    'INSERT INTO device_models (id, name, code, serial_prefix, slot_bytes) VALUES ' +
    `('${id}', '${info.name}', ${info.code}, '${info.serialPrefix}', ${info.slotBytes});`
  );
}).join('\n')}
`;
