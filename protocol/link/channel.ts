/**
 * A message pipe between the station and one device, whatever carries it. The link protocol
 * (sessions, transfers, heartbeat relay) is written once against this interface; the serial
 * transport (framed bytes over a port) and the Bluetooth transport (GATT characteristics)
 * each implement it, on the station side and on the device side alike.
 */
export interface LinkChannel {
  /** What carries the messages. */
  readonly kind: 'serial' | 'ble';
  /**
   * The largest message `sendData` accepts. Senders size data chunks to fit it: on
   * Bluetooth it is the negotiated ATT MTU less 3, on serial the frame limit.
   */
  readonly maxMessageBytes: number;
  /**
   * Sends one control message reliably and in order. A message larger than
   * `maxMessageBytes` is split and joined again by the channel.
   */
  send(message: Uint8Array): Promise<void>;
  /**
   * Sends one data message (at most `maxMessageBytes`) without a link-level
   * acknowledgement: a Bluetooth write without response, a plain frame on serial. Resolves
   * when the channel can take more, which is how it pushes back on a fast sender.
   */
  sendData(message: Uint8Array): Promise<void>;
  /** Calls `listener` with each whole message received; returns an unsubscribe function. */
  onMessage(listener: (message: Uint8Array) => void): () => void;
  /** Calls `listener` once when the channel closes, with why; returns an unsubscribe. */
  onClose(listener: (reason: string) => void): () => void;
  /** Closes the channel; pending sends reject. */
  close(): Promise<void>;
}
