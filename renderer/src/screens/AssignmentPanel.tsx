import { useState } from 'react';

import type { Failure, Result } from '../../../contract/station';
import type { Assignment, AssignmentStatus, Device } from '../../../protocol/cloud-api';
import { useApi } from '../api/context';
import { useQuery } from '../api/use-query';
import { Badge, type Tone } from '../ui/Badge';
import { FailureBox } from '../ui/FailureBox';
import { formatTime } from '../ui/format';
import { Loaded } from '../ui/Loading';

const TONES: Record<AssignmentStatus, Tone> = {
  pending: 'busy',
  delivered: 'busy',
  applied: 'good',
  failed: 'bad',
  cancelled: 'neutral',
};

const WORDS: Record<AssignmentStatus, string> = {
  pending: 'Pending: waiting for the device to check in',
  delivered: 'Delivered: the device is installing',
  applied: 'Applied',
  failed: 'Failed',
  cancelled: 'Cancelled',
};

/** Assign a released firmware to this device for HTTP OTA, and follow its assignments. */
export function AssignmentPanel(props: { device: Device; refreshMs: number }) {
  const { device } = props;
  const api = useApi();
  const [failure, setFailure] = useState<Failure | null>(null);
  const [releaseId, setReleaseId] = useState('');
  const releases = useQuery(
    'release:list',
    { model: device.model, status: 'released' },
    device.model,
  );
  const assignments = useQuery(
    'cloud-device:assignments',
    { id: device.id },
    device.id,
    props.refreshMs,
  );

  async function run(action: () => Promise<Result<unknown>>): Promise<void> {
    const result = await action();
    setFailure(result.ok ? null : result.error);
    assignments.reload();
  }

  const choices = releases.result?.ok ? releases.result.value : [];
  return (
    <section className="card" aria-labelledby="ota-title">
      <h2 id="ota-title">HTTP OTA</h2>
      <div className="form-row">
        <label>
          Release to assign
          <select value={releaseId} onChange={(event) => setReleaseId(event.target.value)}>
            <option value="">Choose a release…</option>
            {choices.map((release) => (
              <option key={release.id} value={release.id}>
                {release.version}
              </option>
            ))}
          </select>
        </label>
        <button
          type="button"
          className="button primary"
          disabled={!releaseId}
          onClick={() =>
            run(() => api.call('assignment:create', { deviceId: device.id, releaseId }))
          }
        >
          Assign
        </button>
      </div>
      {choices.length === 0 && releases.result?.ok && (
        <p className="muted">
          No released firmware for this model yet: release one under Firmware.
        </p>
      )}
      {failure && <FailureBox failure={failure} onDismiss={() => setFailure(null)} />}
      <Loaded result={assignments.result} what="assignments">
        {(list) => (
          <AssignmentTable
            list={list}
            onCancel={(id) => run(() => api.call('assignment:cancel', { id }))}
          />
        )}
      </Loaded>
    </section>
  );
}

function AssignmentTable(props: { list: Assignment[]; onCancel: (id: string) => void }) {
  if (props.list.length === 0) return <p className="muted">No assignments for this device.</p>;
  return (
    <table className="table" aria-label="Assignment history">
      <thead>
        <tr>
          <th>Release</th>
          <th>Status</th>
          <th>Reason</th>
          <th>Updated</th>
          <th />
        </tr>
      </thead>
      <tbody>
        {props.list.map((assignment) => (
          <tr key={assignment.id} data-status={assignment.status}>
            <td>{assignment.version}</td>
            <td>
              <Badge tone={TONES[assignment.status]}>{WORDS[assignment.status]}</Badge>
            </td>
            <td>{assignment.reason ?? ''}</td>
            <td>{formatTime(assignment.updated_at)}</td>
            <td>
              {(assignment.status === 'pending' || assignment.status === 'delivered') && (
                <button
                  type="button"
                  className="button quiet"
                  onClick={() => props.onCancel(assignment.id)}
                >
                  Cancel
                </button>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
