import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { ConnectedDevice, StationEvent, UpdateJob } from '../../../contract/station';
import { createStationWith, type Station } from '../../../main/core/station';
import {
  FakeBluetooth,
  FakeDevice,
  type FakeDeviceOptions,
  FakeSerial,
  SessionFactory,
} from './core-fakes';
import { FakeCloud } from './fake-cloud';
import { until } from './wait';

/** The station core on in-memory stand-ins, for main/core's unit tests. */
export interface CoreBench {
  station: Station;
  cloud: FakeCloud;
  serial: FakeSerial;
  bluetooth: FakeBluetooth;
  sessions: SessionFactory;
  events: StationEvent[];
  workDir: string;
  /** Plugs a fake device in on a serial path. */
  plug(path: string, options?: FakeDeviceOptions): FakeDevice;
  /** The device once connected and identified. */
  connected(key: string): Promise<ConnectedDevice>;
  /** The job once done or failed. */
  finished(jobId: string): Promise<UpdateJob>;
  /** Every 'update' event of a job. */
  jobEvents(jobId: string): UpdateJob[];
  /** Closes the station, the file server and the temp folder. */
  close(): Promise<void>;
}

/** Starts a core on fakes with millisecond timings. */
export async function coreBench(bluetooth = new FakeBluetooth()): Promise<CoreBench> {
  const workDir = await mkdtemp(join(tmpdir(), 'station-core-'));
  const cloud = new FakeCloud();
  await cloud.start();
  const serial = new FakeSerial();
  const sessions = new SessionFactory(serial, bluetooth);
  const station = await createStationWith(
    {
      cloudUrl: 'http://cloud.invalid',
      cloudToken: 't',
      workDir,
      timing: { lostGraceMs: 300, reconnectDelayMs: 20, rebootPollMs: 20, rebootTimeoutMs: 3000 },
    },
    { cloud, serial, bluetooth, openSession: sessions.open },
  );
  const events: StationEvent[] = [];
  station.subscribe((event) => events.push(event));

  const devices = () => station.devices();
  return {
    station,
    cloud,
    serial,
    bluetooth,
    sessions,
    events,
    workDir,
    plug(path, options) {
      const device = new FakeDevice(options);
      serial.plug(path, device);
      return device;
    },
    connected: (key) =>
      until(() => {
        const device = devices().find((d) => d.key === key);
        return device?.status === 'connected' && device.identity ? device : undefined;
      }, `${key} connected`),
    finished: (jobId) =>
      until(() => {
        const job = devices().find((d) => d.update?.id === jobId)?.update;
        return job && (job.phase === 'done' || job.phase === 'failed') ? job : undefined;
      }, `job ${jobId} to finish`),
    jobEvents: (jobId) =>
      events.flatMap((e) => (e.type === 'update' && e.job.id === jobId ? [e.job] : [])),
    async close() {
      await station.close();
      await cloud.stop();
      await rm(workDir, { recursive: true, force: true });
    },
  };
}
