import type { ChannelHandlers } from '../../contract/ipc';
import type { StationCoreApi } from '../../contract/station';
import { ok } from './failures';

/** The channels the station core answers: devices on the bench and their updates. */
export type StationChannels =
  | 'device:list'
  | 'device:connect'
  | 'device:disconnect'
  | 'device:provision'
  | 'bluetooth:state'
  | 'log:recent'
  | 'update:start'
  | 'update:cancel';

/** Maps each station-core channel onto the core; its queries become ok results. */
export function stationHandlers(station: StationCoreApi): Pick<ChannelHandlers, StationChannels> {
  return {
    'device:list': async () => ok(station.devices()),
    'device:connect': ({ key }) => station.connect(key),
    'device:disconnect': ({ key }) => station.disconnect(key),
    'device:provision': ({ key }) => station.provision(key),
    'bluetooth:state': async () => ok(station.bluetooth()),
    'log:recent': async () => ok(station.recentLog()),
    'update:start': ({ key, request }) => station.startUpdate(key, request),
    'update:cancel': ({ jobId }) => station.cancelUpdate(jobId),
  };
}
