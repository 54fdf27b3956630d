/** The station side of device links: the session, its errors, and the serial transport. */
export { isLinkError, LinkError } from './errors';
export { openSerialChannel, watchSerialPorts } from './serial';
export { LinkSession, type LinkSessionOptions } from './session';
export type { TransferStats } from './transfer';
