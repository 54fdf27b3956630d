import type { BluetoothState, ConnectedDevice } from '../../../contract/station';
import { useStation } from '../api/context';
import { Empty } from '../ui/Empty';
import { FailureBox } from '../ui/FailureBox';
import { DeviceCard } from './DeviceCard';

/** Every device on the station's links, at a glance, with the action that fits each. */
export function DevicesScreen() {
  const station = useStation();

  return (
    <section aria-labelledby="devices-title">
      <h1 id="devices-title">Devices on this station</h1>
      {station.bluetooth && <BluetoothBanner bluetooth={station.bluetooth} />}
      {station.loadFailure && (
        <FailureBox failure={station.loadFailure} title="Could not read the station" />
      )}
      {!station.loaded && <p className="muted">Looking for devices…</p>}
      {station.loaded && station.devices.length === 0 && (
        <Empty title="No devices connected">
          <p>Plug a Bota device in by USB, or wake it next to the station for Bluetooth.</p>
          <p>Devices appear here by themselves within a few seconds.</p>
        </Empty>
      )}
      <div className="device-grid">
        {sortForBench(station.devices).map((device) => (
          <DeviceCard key={device.key} device={device} />
        ))}
      </div>
    </section>
  );
}

/** Identified devices first, by serial, so cards stay put; unknown ports after them. */
function sortForBench(devices: ConnectedDevice[]): ConnectedDevice[] {
  const rank = (device: ConnectedDevice) => (device.identity ? 0 : 1);
  const label = (device: ConnectedDevice) => device.identity?.serial ?? device.key;
  return [...devices].sort((a, b) => rank(a) - rank(b) || label(a).localeCompare(label(b)));
}

/** Bluetooth's state in plain words, so a missing adapter is never a mystery. */
function BluetoothBanner(props: { bluetooth: BluetoothState }) {
  const { state, reason } = props.bluetooth;
  if (state === 'ready') return null;
  if (state === 'virtual') {
    return (
      <p className="banner banner-info" role="status">
        Bluetooth: using the built-in virtual radio (no adapter needed).
      </p>
    );
  }
  // The reason may already start with "Bluetooth unavailable:"; say it once.
  const why = reason ? `: ${reason.replace(/^Bluetooth unavailable:\s*/, '')}` : '';
  const words =
    state === 'powered-off'
      ? 'Bluetooth is switched off: turn it on to see wireless devices.'
      : `Bluetooth unavailable${why}. USB devices still work.`;
  return (
    <p className="banner banner-warn" role="status">
      {words}
    </p>
  );
}
