import { useState } from 'react';

import type { AssignmentStatus, FleetSummary } from '../../../protocol/cloud-api';
import type { DeviceModel } from '../../../protocol/models';
import { useQuery } from '../api/use-query';
import { type Bar, BarChart } from '../ui/BarChart';
import { Empty } from '../ui/Empty';
import { formatAgo, modelName } from '../ui/format';
import { Loaded } from '../ui/Loading';
import { ModelFilter } from '../ui/ModelFilter';

const REFRESH_MS = 5000;

const STATUS_TONES: Record<AssignmentStatus, string> = {
  pending: 'bar-busy',
  delivered: 'bar-busy',
  applied: 'bar-good',
  failed: 'bar-bad',
  cancelled: 'bar-neutral',
};

/** The fleet at a glance: firmware per model, assignments per status, and every device. */
export function FleetScreen() {
  const summary = useQuery('fleet:summary', {}, 'fleet', REFRESH_MS);

  return (
    <section aria-labelledby="fleet-title">
      <h1 id="fleet-title">Fleet</h1>
      <Loaded result={summary.result} what="the fleet summary">
        {(value) => <Charts summary={value} />}
      </Loaded>
      <DeviceList />
    </section>
  );
}

function Charts(props: { summary: FleetSummary }) {
  const versions: Bar[] = props.summary.by_version.map((row) => ({
    label: `${modelName(row.model)} ${row.firmware_version ?? '(no report)'}`,
    value: row.count,
  }));
  const statuses: Bar[] = props.summary.by_status.map((row) => ({
    label: row.status,
    value: row.count,
    tone: STATUS_TONES[row.status],
  }));
  return (
    <div className="charts card">
      {versions.length > 0 ? (
        <BarChart title="Devices by model and firmware" bars={versions} />
      ) : (
        <p className="muted">No devices registered yet.</p>
      )}
      {statuses.length > 0 ? (
        <BarChart title="HTTP OTA assignments by status" bars={statuses} />
      ) : (
        <p className="muted">No assignments yet.</p>
      )}
    </div>
  );
}

function DeviceList() {
  const [q, setQ] = useState('');
  const [model, setModel] = useState<DeviceModel | ''>('');
  const args = { q: q.trim() || undefined, model: model || undefined, limit: 100 };
  const devices = useQuery('cloud-device:list', args, `${q}/${model}`, REFRESH_MS);

  return (
    <section className="card" aria-labelledby="fleet-devices-title">
      <h2 id="fleet-devices-title">Devices in the cloud</h2>
      <div className="filters">
        <label>
          Search serial or id
          <input type="search" value={q} onChange={(event) => setQ(event.target.value)} />
        </label>
        <ModelFilter value={model} onChange={setModel} />
      </div>
      <Loaded result={devices.result} what="devices">
        {({ devices: list, total }) =>
          list.length === 0 ? (
            <Empty title="No devices match">
              <p>Devices appear once a station registers them or they send a heartbeat.</p>
            </Empty>
          ) : (
            <table className="table">
              <caption className="muted">
                {list.length} of {total}
              </caption>
              <thead>
                <tr>
                  <th>Serial</th>
                  <th>Model</th>
                  <th>Firmware</th>
                  <th>Battery</th>
                  <th>Last heartbeat</th>
                </tr>
              </thead>
              <tbody>
                {list.map((device) => (
                  <tr key={device.id}>
                    <td>
                      <a href={`#/device/${device.id}`}>{device.serial}</a>
                    </td>
                    <td>{modelName(device.model)}</td>
                    <td>{device.firmware_version ?? '—'}</td>
                    <td>{device.battery === null ? '—' : `${device.battery} %`}</td>
                    <td>{formatAgo(device.last_seen_at)}</td>
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
