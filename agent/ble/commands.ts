import type { VirtualDevice } from '../device/device';
import type { DeviceRadio } from './device-radio';

/** A device the Bluetooth CLI runs, with its radio. */
export interface RadioBenchDevice {
  /** The device. */
  device: VirtualDevice;
  /** Its presence on the radio. */
  radio: DeviceRadio;
}

/** One command a test or a person types on the CLI's stdin, as a JSON line. */
export type RadioCommand =
  | { op: 'disconnect'; serial: string }
  | { op: 'reboot'; serial: string }
  | { op: 'recording'; serial: string; on: boolean }
  | { op: 'battery'; serial: string; percent: number }
  | { op: 'identity'; serial: string };

/** The answer to a command, printed as one JSON line. */
export type RadioCommandReply =
  { ok: true; op: string; serial: string; identity?: unknown } | { ok: false; error: string };

/**
 * Runs one command line against the devices: drop a device's link from the device side,
 * reboot it, start or stop recording, set its battery, or read its identity.
 */
export function runRadioCommand(
  line: string,
  devices: ReadonlyMap<string, RadioBenchDevice>,
): RadioCommandReply {
  let command: RadioCommand;
  try {
    command = JSON.parse(line) as RadioCommand;
  } catch {
    return { ok: false, error: `not a JSON command: ${line}` };
  }

  const target = devices.get(command.serial);
  if (!target) return { ok: false, error: `no device ${String(command.serial)} on this radio` };
  return apply(command, target);
}

function apply(command: RadioCommand, { device, radio }: RadioBenchDevice): RadioCommandReply {
  switch (command.op) {
    case 'disconnect':
      radio.peripheral.disconnect('the device ended the connection');
      break;
    case 'reboot':
      void device.reboot();
      break;
    case 'recording':
      device.setRecording(command.on);
      break;
    case 'battery':
      device.setBattery(command.percent);
      break;
    case 'identity':
      return { ok: true, op: command.op, serial: device.serial, identity: device.identity() };
    default:
      return { ok: false, error: `unknown op ${JSON.stringify(command)}` };
  }
  return { ok: true, op: command.op, serial: device.serial };
}
