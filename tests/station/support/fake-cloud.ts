import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import type { StationCloud } from '../../../main/core/ports';
import type {
  Assignment,
  Device,
  FileLink,
  ProvisionedDevice,
  Release,
} from '../../../protocol/cloud-api';
import type { HeartbeatReply, SignedHeartbeat } from '../../../protocol/heartbeat';
import type { DeviceModel } from '../../../protocol/models';
import { CodedError, fakeUfw } from './core-fakes';

/** A cloud stand-in with releases, assignments and a real HTTP server for `.ufw` files. */
export class FakeCloud implements StationCloud {
  readonly releases = new Map<string, { release: Release; ufw: Buffer }>();
  readonly assignments: Assignment[] = [];
  readonly devices = new Map<string, Device>();
  readonly relayed: SignedHeartbeat[] = [];
  relayFails: string | null = null;
  downloads = 0;
  private server: Server | null = null;
  private base = '';

  /** Starts the file server on 127.0.0.1, port 0. */
  async start(): Promise<void> {
    this.server = createServer((request, response) => {
      const id = (request.url ?? '').split('/').pop() ?? '';
      const entry = this.releases.get(id);
      if (!entry) return void response.writeHead(404).end();
      this.downloads += 1;
      response.writeHead(200, { 'content-length': entry.ufw.length }).end(entry.ufw);
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.base = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise((resolve) => this.server?.close(resolve));
  }

  /** Adds a released release whose `.ufw` is a fakeUfw of `version`. */
  addRelease(model: DeviceModel, version: string, size?: number): Release {
    const ufw = fakeUfw(model, `${version}-001`, size);
    const id = `rel-${model}-${version}`;
    const file = {
      kind: 'ufw' as const,
      size: ufw.length,
      crc32: 0,
      sha256: createHash('sha256').update(ufw).digest('hex'),
      uploaded_at: new Date().toISOString(),
    };
    const release: Release = {
      id,
      version,
      model,
      notes: '',
      status: 'released',
      bin: null,
      ufw: file,
      build_version: `${version}-001`,
      created_at: new Date().toISOString(),
      released_at: new Date().toISOString(),
      revision: 1,
    };
    this.releases.set(id, { release, ufw });
    return release;
  }

  async provisionDevice(input: { serial: string; model: DeviceModel }): Promise<ProvisionedDevice> {
    const known = [...this.devices.values()].find((d) => d.serial === input.serial);
    if (known) throw new CodedError('DEVICE_EXISTS', `${input.serial} exists`);
    const device = fakeDevice(`dev-${input.serial}`, input.serial, input.model);
    this.devices.set(device.id, device);
    return { device, secret: 'secret-1' };
  }

  async getDeviceBySerial(serial: string): Promise<Device> {
    const found = [...this.devices.values()].find((d) => d.serial === serial);
    if (!found) throw new CodedError('NOT_FOUND');
    return found;
  }

  async rotateDeviceSecret(id: string): Promise<ProvisionedDevice> {
    const device = this.devices.get(id);
    if (!device) throw new CodedError('NOT_FOUND');
    return { device, secret: 'secret-rotated' };
  }

  async latestRelease(model: DeviceModel): Promise<Release | null> {
    const mine = [...this.releases.values()].filter((r) => r.release.model === model);
    return mine.at(-1)?.release ?? null;
  }

  async getRelease(id: string): Promise<Release> {
    const entry = this.releases.get(id);
    if (!entry) throw new CodedError('NOT_FOUND', `no release ${id}`);
    return entry.release;
  }

  async fileLink(id: string): Promise<FileLink> {
    const { release } = await this.getRelease(id).then((r) => ({ release: r }));
    const file = release.ufw;
    if (!file) throw new CodedError('NOT_FOUND');
    const expires = new Date(Date.now() + 60_000).toISOString();
    return { url: `${this.base}/files/${id}`, ...file, expires_at: expires };
  }

  async listAssignments(query: { device_id?: string }): Promise<Assignment[]> {
    return this.assignments.filter((a) => !query.device_id || a.device_id === query.device_id);
  }

  async getAssignment(id: string): Promise<Assignment> {
    const found = this.assignments.find((a) => a.id === id);
    if (!found) throw new CodedError('NOT_FOUND');
    return found;
  }

  async relayHeartbeat(heartbeat: SignedHeartbeat): Promise<HeartbeatReply> {
    await new Promise((resolve) => setTimeout(resolve, 5));
    if (this.relayFails) throw new CodedError(this.relayFails);
    this.relayed.push(heartbeat);
    return { server_time: new Date().toISOString(), heartbeat_interval_s: 60, ota: null };
  }
}

function fakeDevice(id: string, serial: string, model: DeviceModel): Device {
  return {
    id,
    serial,
    model,
    firmware_version: null,
    battery: null,
    recording: null,
    last_seen_at: null,
    last_relayed: null,
    created_at: new Date().toISOString(),
    revision: 1,
  };
}
