// Real noble with its own bindings. This machine has no Bluetooth adapter, so loading it
// fails (EAFNOSUPPORT from the HCI socket) and the station must report that, not crash.
// With BOTA_BLE_ADAPTER=1 on a machine that has an adapter, the second test checks the
// same code reaches a powered adapter instead.
import { describe, expect, it } from 'vitest';

import { openBluetooth } from '../../main/link/ble/index';

const adapter = process.env.BOTA_BLE_ADAPTER === '1';

describe('real noble', () => {
  it.skipIf(adapter)(
    'reports Bluetooth unavailable with the reason instead of throwing',
    async () => {
      const bluetooth = await openBluetooth({});

      const state = bluetooth.state();
      expect(state.state).toBe('unavailable');
      expect(state.reason).toMatch(/^Bluetooth unavailable: \S/);

      await expect(bluetooth.startScanning()).resolves.toBeUndefined();
      await expect(bluetooth.connect('c0:00:00:00:00:01')).rejects.toMatchObject({
        code: 'BLUETOOTH_UNAVAILABLE',
      });
      await bluetooth.close();
    },
  );

  it.skipIf(!adapter)('reaches a real adapter when one is present', async () => {
    const bluetooth = await openBluetooth({});
    expect(['ready', 'powered-off']).toContain(bluetooth.state().state);
    await bluetooth.close();
  });
});
