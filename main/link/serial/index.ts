/** The station's serial transport: open a port as a LinkChannel, and watch for ports. */
export {
  openSerialChannel,
  type SerialChannelOptions,
} from '../../../protocol/link/serial-channel';
export {
  type SerialPortInfo,
  type SerialWatcher,
  type SerialWatchOptions,
  watchSerialPorts,
} from './watch';
