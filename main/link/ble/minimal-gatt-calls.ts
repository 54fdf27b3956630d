import { EventEmitter } from 'node:events';

/**
 * The noble bindings calls the Bota link never makes (included services, descriptors,
 * handles, broadcast, reset), answered at once and empty so noble's callbacks still fire.
 * The virtual radio bindings build on this.
 */
export class MinimalGattCalls extends EventEmitter {
  /** noble: resets the adapter; the virtual one has nothing to reset. */
  reset(): void {}

  /** noble: the Bota service includes none. */
  discoverIncludedServices(uuid: string, serviceUuid: string): void {
    process.nextTick(() => this.emit('includedServicesDiscover', uuid, serviceUuid, []));
  }

  /** noble: broadcast is not served; acknowledged unchanged. */
  broadcast(uuid: string, service: string, characteristic: string, state: boolean): void {
    process.nextTick(() => this.emit('broadcast', uuid, service, characteristic, state));
  }

  /** noble: lists the client configuration descriptor only. */
  discoverDescriptors(uuid: string, service: string, characteristic: string): void {
    // The client configuration descriptor is implied by notify; nothing else is served.
    process.nextTick(() =>
      this.emit('descriptorsDiscover', uuid, service, characteristic, ['2902']),
    );
  }

  /** noble: descriptor values read empty. */
  readValue(uuid: string, service: string, characteristic: string, descriptor: string): void {
    const value = Buffer.alloc(0);
    process.nextTick(() =>
      this.emit('valueRead', uuid, service, characteristic, descriptor, value),
    );
  }

  /** noble: descriptor writes are acknowledged and ignored. */
  writeValue(uuid: string, service: string, characteristic: string, descriptor: string): void {
    process.nextTick(() => this.emit('valueWrite', uuid, service, characteristic, descriptor));
  }

  /** noble: raw handle reads return nothing. */
  readHandle(uuid: string, handle: number): void {
    process.nextTick(() => this.emit('handleRead', uuid, handle, Buffer.alloc(0)));
  }

  /** noble: raw handle writes are acknowledged and ignored. */
  writeHandle(uuid: string, handle: number): void {
    process.nextTick(() => this.emit('handleWrite', uuid, handle));
  }
}
