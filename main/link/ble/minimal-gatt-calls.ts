import { EventEmitter } from 'node:events';

/**
 * The noble bindings calls the Bota link never makes (included services, descriptors,
 * handles, broadcast, reset), answered at once and empty so noble's callbacks still fire.
 * The virtual radio bindings build on this.
 */
export class MinimalGattCalls extends EventEmitter {
  reset(): void {}

  discoverIncludedServices(uuid: string, serviceUuid: string): void {
    process.nextTick(() => this.emit('includedServicesDiscover', uuid, serviceUuid, []));
  }

  broadcast(uuid: string, service: string, characteristic: string, state: boolean): void {
    process.nextTick(() => this.emit('broadcast', uuid, service, characteristic, state));
  }

  discoverDescriptors(uuid: string, service: string, characteristic: string): void {
    // The client configuration descriptor is implied by notify; nothing else is served.
    process.nextTick(() =>
      this.emit('descriptorsDiscover', uuid, service, characteristic, ['2902']),
    );
  }

  readValue(uuid: string, service: string, characteristic: string, descriptor: string): void {
    const value = Buffer.alloc(0);
    process.nextTick(() =>
      this.emit('valueRead', uuid, service, characteristic, descriptor, value),
    );
  }

  writeValue(uuid: string, service: string, characteristic: string, descriptor: string): void {
    process.nextTick(() => this.emit('valueWrite', uuid, service, characteristic, descriptor));
  }

  readHandle(uuid: string, handle: number): void {
    process.nextTick(() => this.emit('handleRead', uuid, handle, Buffer.alloc(0)));
  }

  writeHandle(uuid: string, handle: number): void {
    process.nextTick(() => this.emit('handleWrite', uuid, handle));
  }
}
