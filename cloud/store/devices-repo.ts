import type { Device, HeartbeatRecord } from '../../protocol/cloud-api';
import type { DeviceModel } from '../../protocol/models';
import type { Row, Store } from './database';

/** How many heartbeats are kept per device; older ones are overwritten in a ring. */
export const HEARTBEAT_HISTORY = 100;

/** What a heartbeat changes on its device. */
export interface HeartbeatState {
  /** Reported firmware. */
  firmwareVersion: string;
  /** Reported battery. */
  battery: number;
  /** Reported recording flag. */
  recording: boolean;
  /** True when relayed by a station. */
  relayed: boolean;
  /** The signed timestamp, kept to refuse replays. */
  timestampMs: number;
  /** Id of the stored heartbeat row. */
  id: string;
}

/** The devices and heartbeats tables. */
export class DevicesRepo {
  constructor(private readonly store: Store) {}

  /** Inserts a device with its encrypted secret. */
  insert(device: {
    id: string;
    serial: string;
    model: DeviceModel;
    secretBox: string;
    firmwareVersion: string | null;
  }): void {
    const now = new Date().toISOString();
    this.store.run(
      `INSERT INTO devices (id, serial, model, secret_box, firmware_version, created_at,
        updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
      [device.id, device.serial, device.model, device.secretBox, device.firmwareVersion, now, now],
    );
  }

  /** One device, or null. */
  byId(id: string): Device | null {
    const row = this.store.get('SELECT * FROM devices WHERE id = ?', [id]);
    return row ? toDevice(row) : null;
  }

  /** One device by serial, or null. */
  bySerial(serial: string): Device | null {
    const row = this.store.get('SELECT * FROM devices WHERE serial = ?', [serial]);
    return row ? toDevice(row) : null;
  }

  /** What heartbeat checks need: the encrypted secret, model and last accepted timestamp. */
  credentials(id: string): { secretBox: string; model: DeviceModel; lastMs: number } | null {
    const row = this.store.get(
      'SELECT secret_box, model, last_heartbeat_ms FROM devices WHERE id = ?',
      [id],
    );
    if (!row) return null;
    return {
      secretBox: String(row.secret_box),
      model: String(row.model) as DeviceModel,
      lastMs: Number(row.last_heartbeat_ms),
    };
  }

  /** A page of devices, newest first, and the total matching. */
  list(query: { model?: DeviceModel; q?: string; limit: number; offset: number }): {
    devices: Device[];
    total: number;
  } {
    const where = `(?1 IS NULL OR model = ?1) AND (?2 IS NULL OR serial LIKE ?2 OR id LIKE ?2)`;
    const pattern = query.q ? `%${query.q.replace(/[%_]/g, '')}%` : null;
    const rows = this.store.all(
      `SELECT * FROM devices WHERE ${where} ORDER BY id DESC LIMIT ?3 OFFSET ?4`,
      [query.model ?? null, pattern, query.limit, query.offset],
    );
    const total = this.store.get(`SELECT COUNT(*) AS n FROM devices WHERE ${where}`, [
      query.model ?? null,
      pattern,
    ]);
    return { devices: rows.map(toDevice), total: Number(total?.n ?? 0) };
  }

  /** Replaces a device's secret. */
  setSecret(id: string, secretBox: string): void {
    this.store.run(
      `UPDATE devices SET secret_box = ?, revision = revision + 1, updated_at = ? WHERE id = ?`,
      [secretBox, new Date().toISOString(), id],
    );
  }

  /** Records a heartbeat on the device row and in its bounded history. */
  recordHeartbeat(deviceId: string, state: HeartbeatState, at: string): void {
    const row = this.store.get(
      `UPDATE devices SET firmware_version = ?1, battery = ?2, recording = ?3,
        last_seen_at = ?4, updated_at = ?4, last_relayed = ?5, last_heartbeat_ms = ?6,
        heartbeat_seq = heartbeat_seq + 1, revision = revision + 1
       WHERE id = ?7 RETURNING heartbeat_seq`,
      [
        state.firmwareVersion,
        state.battery,
        state.recording ? 1 : 0,
        at,
        state.relayed ? 1 : 0,
        state.timestampMs,
        deviceId,
      ],
    );
    if (!row) return;

    // A ring of HEARTBEAT_HISTORY slots per device: the newest overwrites the oldest.
    const seq = Number(row.heartbeat_seq);
    this.store.run(
      `INSERT OR REPLACE INTO heartbeats (device_id, slot, seq, id, at, firmware_version,
        battery, recording, relayed) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        deviceId,
        seq % HEARTBEAT_HISTORY,
        seq,
        state.id,
        at,
        state.firmwareVersion,
        state.battery,
        state.recording ? 1 : 0,
        state.relayed ? 1 : 0,
      ],
    );
  }

  /** A device's stored heartbeats, newest first. */
  heartbeats(deviceId: string, limit: number): HeartbeatRecord[] {
    const rows = this.store.all(
      'SELECT * FROM heartbeats WHERE device_id = ? ORDER BY seq DESC LIMIT ?',
      [deviceId, limit],
    );
    return rows.map((row) => ({
      at: String(row.at),
      firmware_version: String(row.firmware_version),
      battery: Number(row.battery),
      recording: row.recording === 1,
      relayed: row.relayed === 1,
    }));
  }

  /** Devices per model and firmware version. */
  countByVersion(): { model: DeviceModel; firmware_version: string | null; count: number }[] {
    const rows = this.store.all(
      `SELECT model, firmware_version, COUNT(*) AS n FROM devices
       GROUP BY model, firmware_version ORDER BY model, firmware_version`,
    );
    return rows.map((row) => ({
      model: String(row.model) as DeviceModel,
      firmware_version: row.firmware_version === null ? null : String(row.firmware_version),
      count: Number(row.n),
    }));
  }
}

function toDevice(row: Row): Device {
  return {
    id: String(row.id),
    serial: String(row.serial),
    model: String(row.model) as DeviceModel,
    firmware_version: row.firmware_version === null ? null : String(row.firmware_version),
    battery: row.battery === null ? null : Number(row.battery),
    recording: row.recording === null ? null : row.recording === 1,
    last_seen_at: row.last_seen_at === null ? null : String(row.last_seen_at),
    last_relayed: row.last_relayed === null ? null : row.last_relayed === 1,
    created_at: String(row.created_at),
    revision: Number(row.revision),
  };
}
