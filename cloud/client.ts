import type {
  ApiError,
  ApiToken,
  Assignment,
  AssignmentStatus,
  AuditEntry,
  CreatedToken,
  Device,
  FileLink,
  FleetSummary,
  HeartbeatRecord,
  ProvisionedDevice,
  Release,
  ReleaseFileKind,
  ReleaseStatus,
  Role,
} from '../protocol/cloud-api';
import {
  heartbeatHeaders,
  type HeartbeatReply,
  RELAYED_HEARTBEAT_PATH,
  type SignedHeartbeat,
} from '../protocol/heartbeat';
import type { DeviceModel } from '../protocol/models';

/** A cloud reply that is not a success, or a cloud that could not be reached (status 0). */
export class CloudApiError extends Error {
  constructor(
    /** HTTP status; 0 when the cloud could not be reached. */
    readonly status: number,
    /** Stable SCREAMING_SNAKE code from the cloud, or CLOUD_UNREACHABLE. */
    readonly code: string,
    message: string,
    /** Extra facts from the cloud, e.g. `{ assignment_id }`. */
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'CloudApiError';
  }
}

/** How to reach a cloud. */
export interface CloudClientOptions {
  /** The cloud's base URL, e.g. `http://127.0.0.1:4000`. */
  baseUrl: string;
  /** Bearer token sent with every request, when given. */
  token?: string;
}

/** Filters for listing devices. */
export interface DeviceQuery {
  /** Only this model. */
  model?: DeviceModel;
  /** Serial or id contains this text. */
  q?: string;
  /** Page size. */
  limit?: number;
  /** Rows to skip. */
  offset?: number;
}

type Query = Record<string, string | number | undefined>;

interface RequestOptions {
  query?: Query;
  json?: unknown;
  body?: Uint8Array;
  headers?: Record<string, string>;
}

/** The typed HTTP client of the cloud API (`/api/v1`); every failure is a CloudApiError. */
export class CloudClient {
  private readonly baseUrl: string;
  private readonly token: string | undefined;

  constructor(options: CloudClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.token = options.token;
  }

  /** True when the cloud answers its health check. */
  health(): Promise<{ ok: true }> {
    return this.request('GET', '/api/v1/health');
  }

  /** Creates an API token; its secret is in the reply only. */
  createToken(name: string, role: Role): Promise<CreatedToken> {
    return this.request('POST', '/api/v1/tokens', { json: { name, role } });
  }

  /** Lists API tokens (never their secrets). */
  listTokens(): Promise<ApiToken[]> {
    return this.request('GET', '/api/v1/tokens');
  }

  /** Revokes an API token. */
  async deleteToken(id: string): Promise<void> {
    await this.request('DELETE', `/api/v1/tokens/${enc(id)}`);
  }

  /** Registers a device; the reply holds its heartbeat secret, shown this once. */
  provisionDevice(input: {
    serial: string;
    model: DeviceModel;
    firmware_version?: string;
  }): Promise<ProvisionedDevice> {
    return this.request('POST', '/api/v1/devices', { json: input });
  }

  /** Gives a known device a new secret (re-provisioning); the old one stops working. */
  rotateDeviceSecret(id: string): Promise<ProvisionedDevice> {
    return this.request('POST', `/api/v1/devices/${enc(id)}/secret`);
  }

  /** Lists devices, newest first. */
  listDevices(query: DeviceQuery = {}): Promise<{ devices: Device[]; total: number }> {
    return this.request('GET', '/api/v1/devices', { query: { ...query } });
  }

  /** One device by id. */
  getDevice(id: string): Promise<Device> {
    return this.request('GET', `/api/v1/devices/${enc(id)}`);
  }

  /** One device by its printed serial. */
  getDeviceBySerial(serial: string): Promise<Device> {
    return this.request('GET', `/api/v1/devices/by-serial/${enc(serial)}`);
  }

  /** A device's recent heartbeats, newest first. */
  deviceHeartbeats(id: string, limit?: number): Promise<HeartbeatRecord[]> {
    return this.request('GET', `/api/v1/devices/${enc(id)}/heartbeats`, { query: { limit } });
  }

  /** A device's assignments, newest first. */
  deviceAssignments(id: string): Promise<Assignment[]> {
    return this.request('GET', `/api/v1/devices/${enc(id)}/assignments`);
  }

  /** Creates a draft release. */
  createRelease(input: { version: string; model: DeviceModel; notes?: string }): Promise<Release> {
    return this.request('POST', '/api/v1/releases', { json: input });
  }

  /** Lists releases, newest version first. */
  listReleases(filter: { model?: DeviceModel; status?: ReleaseStatus } = {}): Promise<Release[]> {
    return this.request('GET', '/api/v1/releases', { query: { ...filter } });
  }

  /** One release by id. */
  getRelease(id: string): Promise<Release> {
    return this.request('GET', `/api/v1/releases/${enc(id)}`);
  }

  /** The newest released release for a model, or null when there is none. */
  async latestRelease(model: DeviceModel): Promise<Release | null> {
    try {
      return await this.request<Release>('GET', '/api/v1/releases/latest', { query: { model } });
    } catch (error) {
      if (error instanceof CloudApiError && error.code === 'NO_RELEASE') return null;
      throw error;
    }
  }

  /** Deletes a draft release and its files. */
  async deleteRelease(id: string): Promise<void> {
    await this.request('DELETE', `/api/v1/releases/${enc(id)}`);
  }

  /** Uploads a release's `.bin` or `.ufw`. */
  uploadReleaseFile(id: string, kind: ReleaseFileKind, body: Uint8Array): Promise<Release> {
    return this.request('PUT', `/api/v1/releases/${enc(id)}/files/${kind}`, { body });
  }

  /** Marks a complete draft as released; from then on it never changes. */
  publishRelease(id: string): Promise<Release> {
    return this.request('POST', `/api/v1/releases/${enc(id)}/release`);
  }

  /** A time-limited download link for one of a release's files. */
  fileLink(id: string, kind: ReleaseFileKind): Promise<FileLink> {
    return this.request('GET', `/api/v1/releases/${enc(id)}/files/${kind}/link`);
  }

  /** Assigns a released release to a device for HTTP OTA. */
  createAssignment(input: { device_id: string; release_id: string }): Promise<Assignment> {
    return this.request('POST', '/api/v1/assignments', { json: input });
  }

  /** Lists assignments, newest first. */
  listAssignments(
    filter: { status?: AssignmentStatus; device_id?: string } = {},
  ): Promise<Assignment[]> {
    return this.request('GET', '/api/v1/assignments', { query: { ...filter } });
  }

  /** One assignment with its history. */
  getAssignment(id: string): Promise<Assignment> {
    return this.request('GET', `/api/v1/assignments/${enc(id)}`);
  }

  /** Cancels a pending or delivered assignment. */
  cancelAssignment(id: string): Promise<Assignment> {
    return this.request('POST', `/api/v1/assignments/${enc(id)}/cancel`);
  }

  /** Relays a connected device's signed heartbeat; the reply never carries a manifest. */
  relayHeartbeat(heartbeat: SignedHeartbeat): Promise<HeartbeatReply> {
    const body = new TextEncoder().encode(heartbeat.body);
    return this.request('POST', RELAYED_HEARTBEAT_PATH, {
      body,
      headers: heartbeatHeaders(heartbeat),
    });
  }

  /** Counts of devices per version and assignments per status. */
  fleet(): Promise<FleetSummary> {
    return this.request('GET', '/api/v1/fleet');
  }

  /** The newest audit entries. */
  audit(limit?: number): Promise<AuditEntry[]> {
    return this.request('GET', '/api/v1/audit', { query: { limit } });
  }

  private async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const response = await this.send(method, this.urlOf(path, options.query), options);
    const text = await response.text();

    if (!response.ok) throw errorFrom(response.status, text);
    return (text === '' ? undefined : JSON.parse(text)) as T;
  }

  private async send(method: string, url: string, options: RequestOptions): Promise<Response> {
    const headers: Record<string, string> = { ...options.headers };
    if (this.token) headers.authorization = `Bearer ${this.token}`;

    let body: RequestInit['body'];
    if (options.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(options.json);
    } else if (options.body) {
      headers['content-type'] ??= 'application/octet-stream';
      body = options.body;
    }

    try {
      return await fetch(url, { method, headers, body });
    } catch (error) {
      const reason = error instanceof Error ? (error.cause ?? error).toString() : String(error);
      throw new CloudApiError(
        0,
        'CLOUD_UNREACHABLE',
        `cannot reach the cloud at ${this.baseUrl} (${reason}); check it is running and the URL`,
      );
    }
  }

  private urlOf(path: string, query: Query = {}): string {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) {
      if (value !== undefined && value !== '') params.set(key, String(value));
    }
    const search = params.toString();
    return `${this.baseUrl}${path}${search ? `?${search}` : ''}`;
  }
}

function errorFrom(status: number, text: string): CloudApiError {
  try {
    const error = JSON.parse(text) as Partial<ApiError>;
    if (typeof error.code === 'string' && typeof error.message === 'string') {
      return new CloudApiError(status, error.code, error.message, error.details);
    }
  } catch {
    // Not JSON: a proxy or a crash answered; fall through to a generic error.
  }
  return new CloudApiError(
    status,
    `HTTP_${status}`,
    `cloud answered ${status}: ${text.slice(0, 200)}`,
  );
}

function enc(segment: string): string {
  return encodeURIComponent(segment);
}
