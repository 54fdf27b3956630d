import type {
  Release,
  ReleaseFile,
  ReleaseFileKind,
  ReleaseStatus,
} from '../../protocol/cloud-api';
import type { DeviceModel } from '../../protocol/models';
import { parseVersion } from '../../protocol/version';
import type { Row, Store } from './database';

/** A stored release file and where its bytes live. */
export interface StoredFile extends ReleaseFile {
  /** Key in the blob store. */
  blobKey: string;
  /** Bytes of the firmware image inside (the whole `.bin`, or the `.ufw` minus header). */
  imageSize: number;
  /** CRC32 of that image. */
  imageCrc32: number;
}

/** The releases and release_files tables. */
export class ReleasesRepo {
  constructor(private readonly store: Store) {}

  /** Inserts a new draft. The (model, version) unique key rejects duplicates. */
  insert(release: { id: string; version: string; model: DeviceModel; notes: string }): void {
    const now = new Date().toISOString();
    this.store.run(
      `INSERT INTO releases (id, version, version_rank, model, notes, status, created_at,
        updated_at) VALUES (?, ?, ?, ?, ?, 'draft', ?, ?)`,
      [
        release.id,
        release.version,
        rankOf(release.version),
        release.model,
        release.notes,
        now,
        now,
      ],
    );
  }

  /** True when the model already has this version. */
  versionExists(model: DeviceModel, version: string): boolean {
    return (
      this.store.get('SELECT 1 FROM releases WHERE model = ? AND version = ?', [model, version]) !==
      null
    );
  }

  /** One release, or null. */
  byId(id: string): Release | null {
    const row = this.store.get('SELECT * FROM releases WHERE id = ?', [id]);
    return row ? this.toRelease(row) : null;
  }

  /** Releases, newest version first. */
  list(filter: { model?: DeviceModel; status?: ReleaseStatus }): Release[] {
    const rows = this.store.all(
      `SELECT * FROM releases WHERE (?1 IS NULL OR model = ?1) AND (?2 IS NULL OR status = ?2)
       ORDER BY version_rank DESC, model`,
      [filter.model ?? null, filter.status ?? null],
    );
    return rows.map((row) => this.toRelease(row));
  }

  /** The newest released release of a model, or null. */
  latestReleased(model: DeviceModel): Release | null {
    const row = this.store.get(
      `SELECT * FROM releases WHERE model = ? AND status = 'released'
       ORDER BY version_rank DESC LIMIT 1`,
      [model],
    );
    return row ? this.toRelease(row) : null;
  }

  /** A release's stored file, with its blob key, or null. */
  file(releaseId: string, kind: ReleaseFileKind): StoredFile | null {
    const row = this.store.get('SELECT * FROM release_files WHERE release_id = ? AND kind = ?', [
      releaseId,
      kind,
    ]);
    return row ? toFile(row) : null;
  }

  /** Records (or replaces) an uploaded file; the `.ufw` also sets the build version. */
  putFile(releaseId: string, file: StoredFile, buildVersion?: string): void {
    this.store.run(
      `INSERT OR REPLACE INTO release_files (release_id, kind, blob_key, size, crc32, sha256,
        image_size, image_crc32, uploaded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        releaseId,
        file.kind,
        file.blobKey,
        file.size,
        file.crc32,
        file.sha256,
        file.imageSize,
        file.imageCrc32,
        file.uploaded_at,
      ],
    );
    if (buildVersion !== undefined) {
      this.store.run('UPDATE releases SET build_version = ? WHERE id = ?', [
        buildVersion,
        releaseId,
      ]);
    }
    this.touch(releaseId);
  }

  /** Marks a draft released. */
  markReleased(id: string): void {
    const now = new Date().toISOString();
    this.store.run(`UPDATE releases SET status = 'released', released_at = ? WHERE id = ?`, [
      now,
      id,
    ]);
    this.touch(id);
  }

  /** Deletes a release and its file rows. */
  delete(id: string): void {
    this.store.run('DELETE FROM releases WHERE id = ?', [id]);
  }

  private touch(id: string): void {
    this.store.run('UPDATE releases SET revision = revision + 1, updated_at = ? WHERE id = ?', [
      new Date().toISOString(),
      id,
    ]);
  }

  private toRelease(row: Row): Release {
    const id = String(row.id);
    return {
      id,
      version: String(row.version),
      model: String(row.model) as DeviceModel,
      notes: String(row.notes),
      status: String(row.status) as ReleaseStatus,
      bin: publicFile(this.file(id, 'bin')),
      ufw: publicFile(this.file(id, 'ufw')),
      build_version: row.build_version === null ? null : String(row.build_version),
      created_at: String(row.created_at),
      released_at: row.released_at === null ? null : String(row.released_at),
      revision: Number(row.revision),
    };
  }
}

/** Sortable number for a release version: v1.2.3 → 1_0002_0003. */
function rankOf(version: string): number {
  const { major, minor, patch } = parseVersion(version);
  return major * 1e8 + minor * 1e4 + patch;
}

function toFile(row: Row): StoredFile {
  return {
    kind: String(row.kind) as ReleaseFileKind,
    blobKey: String(row.blob_key),
    size: Number(row.size),
    crc32: Number(row.crc32),
    sha256: String(row.sha256),
    imageSize: Number(row.image_size),
    imageCrc32: Number(row.image_crc32),
    uploaded_at: String(row.uploaded_at),
  };
}

function publicFile(file: StoredFile | null): ReleaseFile | null {
  if (!file) return null;
  const { kind, size, crc32, sha256, uploaded_at } = file;
  return { kind, size, crc32, sha256, uploaded_at };
}
