import type {
  ConnectedDevice,
  StationEvent,
  UpdateJob,
  UpdateRequest,
} from '../../../contract/station';
import { createStation, type Station, type StationOptions } from '../../../main/core';
import { until } from './wait';

/** A real station core under test, with every event it sent. */
export interface StationUnderTest {
  station: Station;
  events: StationEvent[];
  /** The device at `key` once it is connected and identified. */
  connected(key: string, ms?: number): Promise<ConnectedDevice>;
  /** The first device matching `check`. */
  device(check: (device: ConnectedDevice) => boolean, what: string): Promise<ConnectedDevice>;
  /** Starts an update and fails the test if it is refused. */
  update(key: string, request: UpdateRequest): Promise<UpdateJob>;
  /** The job once done or failed. */
  finished(jobId: string, ms?: number): Promise<UpdateJob>;
  /** Every 'update' event of one job, in order. */
  jobEvents(jobId: string): UpdateJob[];
}

/** Timings short enough for tests, long enough for a loaded two-core machine. */
export const TEST_TIMING: StationOptions['timing'] = {
  lostGraceMs: 5_000,
  reconnectDelayMs: 200,
  rebootTimeoutMs: 45_000,
  rebootPollMs: 200,
  identifyTimeoutMs: 8_000,
};

/** Starts a station core on the real transports. */
export async function startStation(
  options: Omit<StationOptions, 'timing'> & { timing?: StationOptions['timing'] },
): Promise<StationUnderTest> {
  const station = await createStation({
    ...options,
    timing: { ...TEST_TIMING, ...options.timing },
  });
  const events: StationEvent[] = [];
  station.subscribe((event) => events.push(event));

  const device = (check: (device: ConnectedDevice) => boolean, what: string, ms?: number) =>
    until(() => station.devices().find(check), what, ms);
  const finished = (jobId: string, ms = 120_000) =>
    until(
      () => {
        const job = station.devices().find((d) => d.update?.id === jobId)?.update;
        return job && (job.phase === 'done' || job.phase === 'failed') ? job : undefined;
      },
      `job ${jobId} to finish`,
      ms,
    );

  return {
    station,
    events,
    device,
    finished,
    connected: (key, ms = 60_000) =>
      device((d) => d.key === key && d.status === 'connected' && !!d.identity, `${key}`, ms),
    async update(key, request) {
      const started = await station.startUpdate(key, request);
      if (!started.ok) throw new Error(`update refused: ${JSON.stringify(started.error)}`);
      return started.value;
    },
    jobEvents: (jobId) =>
      events.flatMap((e) => (e.type === 'update' && e.job.id === jobId ? [e.job] : [])),
  };
}
