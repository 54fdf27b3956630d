import type { Device } from '../../../protocol/cloud-api';
import { useQuery } from '../api/use-query';
import { Badge } from '../ui/Badge';
import { formatAgo, formatTime, modelName } from '../ui/format';
import { Loaded } from '../ui/Loading';
import { AssignmentPanel } from './AssignmentPanel';

/** Cloud data is not pushed: re-read it this often while the page is open. */
const REFRESH_MS = 2000;

/** A device as the cloud knows it: details, heartbeats, and its HTTP OTA assignments. */
export function DevicePage(props: { id: string }) {
  const device = useQuery('cloud-device:get', { id: props.id }, props.id, REFRESH_MS);

  return (
    <section aria-labelledby="device-title">
      <p>
        <a href="#/fleet">← All devices</a>
      </p>
      <Loaded result={device.result} what="the device">
        {(value) => (
          <>
            <h1 id="device-title">
              {modelName(value.model)} {value.serial}
            </h1>
            <Details device={value} />
            <AssignmentPanel device={value} refreshMs={REFRESH_MS} />
            <Heartbeats id={value.id} />
          </>
        )}
      </Loaded>
    </section>
  );
}

function Details(props: { device: Device }) {
  const { device } = props;
  const seen = device.last_seen_at;
  return (
    <dl className="facts card">
      <div className="fact">
        <dt>Firmware</dt>
        <dd data-testid="cloud-firmware">{device.firmware_version ?? 'not reported yet'}</dd>
      </div>
      <div className="fact">
        <dt>Battery</dt>
        <dd>{device.battery === null ? '—' : `${device.battery} %`}</dd>
      </div>
      <div className="fact">
        <dt>Recording</dt>
        <dd>{device.recording === null ? '—' : device.recording ? 'Recording' : 'No'}</dd>
      </div>
      <div className="fact">
        <dt>Last heartbeat</dt>
        <dd>
          {formatAgo(seen)}
          {seen && device.last_relayed ? ' (via a station)' : ''}
        </dd>
      </div>
      <div className="fact fact-wide">
        <dt>Device id</dt>
        <dd className="mono">{device.id}</dd>
      </div>
    </dl>
  );
}

function Heartbeats(props: { id: string }) {
  const heartbeats = useQuery(
    'cloud-device:heartbeats',
    { id: props.id, limit: 20 },
    props.id,
    REFRESH_MS,
  );
  return (
    <section className="card" aria-labelledby="heartbeats-title">
      <h2 id="heartbeats-title">Heartbeat history</h2>
      <Loaded result={heartbeats.result} what="heartbeats">
        {(list) =>
          list.length === 0 ? (
            <p className="muted">No heartbeats yet: the device reports once it is online.</p>
          ) : (
            <table className="table">
              <thead>
                <tr>
                  <th>Time</th>
                  <th>Firmware</th>
                  <th>Battery</th>
                  <th>Recording</th>
                  <th>Path</th>
                </tr>
              </thead>
              <tbody>
                {list.map((beat) => (
                  <tr key={beat.at}>
                    <td>{formatTime(beat.at)}</td>
                    <td>{beat.firmware_version}</td>
                    <td>{beat.battery} %</td>
                    <td>{beat.recording ? 'Yes' : 'No'}</td>
                    <td>
                      <Badge tone="neutral">{beat.relayed ? 'Station' : 'Direct'}</Badge>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )
        }
      </Loaded>
    </section>
  );
}
