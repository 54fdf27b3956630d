/**
 * The device end of Bluetooth LE: a radio host that carries the virtual air, peripherals on
 * it, and devices advertised on it whose connections are served with the link protocol.
 */
export { runRadioCommand } from './commands';
export type { PeripheralLink } from './connection';
export {
  advertiseDevice,
  bleAddressFor,
  type DeviceRadio,
  type DeviceRadioOptions,
  type LinkService,
  type RadioDevice,
  type ServeLink,
} from './device-radio';
export { serveEcho } from './echo';
export { VirtualPeripheral, type VirtualPeripheralOptions } from './peripheral';
export { peripheralChannel } from './peripheral-channel';
export { RadioHost, type RadioHostOptions } from './radio-host';
