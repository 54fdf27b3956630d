import { useState } from 'react';

import type { ConnectedDevice, LinkStatus, Result, UpdateRequest } from '../../../contract/station';
import { useApi } from '../api/context';
import { type ActionState, useAction } from '../api/use-action';
import { Badge, type Tone } from '../ui/Badge';
import { FailureBox } from '../ui/FailureBox';
import { formatSignal, modelName } from '../ui/format';
import { UpdateProgress } from './UpdateProgress';
import { UpdatePrompt } from './UpdatePrompt';

const STATUS: Record<LinkStatus, { tone: Tone; label: string }> = {
  discovered: { tone: 'neutral', label: 'Found' },
  connecting: { tone: 'busy', label: 'Connecting' },
  connected: { tone: 'good', label: 'Connected' },
  updating: { tone: 'busy', label: 'Updating' },
  lost: { tone: 'bad', label: 'Link lost' },
};

/** One device on the bench: what it is, how it is, and the action that fits now. */
export function DeviceCard(props: { device: ConnectedDevice }) {
  const { device } = props;
  const api = useApi();
  const action = useAction();
  const [hiddenJob, setHiddenJob] = useState<string | null>(null);
  const status = STATUS[device.status];
  const title = device.identity
    ? `${modelName(device.identity.model)} ${device.identity.serial}`
    : device.name;

  const startUpdate = (request: UpdateRequest) =>
    action.run(() => api.call('update:start', { key: device.key, request }));
  const job = device.update && device.update.id !== hiddenJob ? device.update : null;
  const jobRunning = job !== null && job.phase !== 'done' && job.phase !== 'failed';
  // A refusal can come back from the call and on the job: show it once, on the job.
  const failure = action.failure?.code !== job?.failure?.code ? action.failure : null;

  return (
    <article className="card device" aria-label={title} data-key={device.key}>
      <header className="card-head">
        <h2>{title}</h2>
        <Badge tone={status.tone}>{status.label}</Badge>
      </header>
      <Facts device={device} />
      {!device.identity && device.status !== 'connecting' && (
        <p className="muted">
          This {device.link === 'ble' ? 'device' : 'port'} has not answered as a Bota device yet.
          Press Connect to try again.
        </p>
      )}
      {job && (
        <UpdateProgress
          job={job}
          onCancel={() => action.run(() => api.call('update:cancel', { jobId: job.id }))}
          onDismiss={() => setHiddenJob(job.id)}
        />
      )}
      {!jobRunning && device.identity && (
        <UpdatePrompt device={device} busy={action.busy} onStart={startUpdate} />
      )}
      {failure && <FailureBox failure={failure} onDismiss={action.dismiss} />}
      <LinkActions device={device} action={action} />
    </article>
  );
}

/** Connect, register, open the cloud record, disconnect: whichever fit the link's state. */
function LinkActions(props: { device: ConnectedDevice; action: ActionState }) {
  const { device, action } = props;
  const api = useApi();
  const key = device.key;
  const button = (label: string, call: () => Promise<Result<unknown>>, quiet = false) => (
    <button
      type="button"
      className={quiet ? 'button quiet' : 'button'}
      disabled={action.busy}
      onClick={() => action.run(call)}
    >
      {label}
    </button>
  );

  return (
    <div className="actions">
      {(device.status === 'discovered' || device.status === 'lost') &&
        button('Connect', () => api.call('device:connect', { key }))}
      {device.status === 'connected' &&
        device.identity &&
        !device.identity.deviceId &&
        button('Register with the cloud', () => api.call('device:provision', { key }))}
      {device.identity?.deviceId && (
        <a className="button quiet" href={`#/device/${device.identity.deviceId}`}>
          Cloud record
        </a>
      )}
      {device.status === 'connected' &&
        button('Disconnect', () => api.call('device:disconnect', { key }), true)}
    </div>
  );
}

function Facts(props: { device: ConnectedDevice }) {
  const { device } = props;
  const identity = device.identity;
  const link = device.link === 'ble' ? 'Bluetooth' : 'USB serial';
  return (
    <dl className="facts">
      <Fact name="Firmware" value={identity?.firmwareVersion ?? '—'} />
      <Fact
        name="Battery"
        value={identity ? batteryWords(identity.battery) : '—'}
        tone={identity && identity.battery < LOW_BATTERY ? 'warn' : undefined}
      />
      <Fact
        name="Recording"
        value={identity ? (identity.recording ? 'Recording now' : 'Not recording') : '—'}
        tone={identity?.recording ? 'warn' : undefined}
      />
      <Fact
        name="Link"
        value={`${link} · ${shortAddress(device.address)}`}
        title={device.address}
      />
      <Fact name="Signal" value={formatSignal(device.signal)} />
      <Fact name="Cloud" value={identity?.deviceId ? 'Registered' : 'Not registered'} />
    </dl>
  );
}

/** Below this the device refuses updates (it could die mid-write). */
const LOW_BATTERY = 20;

function batteryWords(battery: number): string {
  return battery < LOW_BATTERY ? `${battery} % — charge before updating` : `${battery} %`;
}

/** A port path's last part (`ttyUSB0`); a Bluetooth address as it is. */
function shortAddress(address: string): string {
  return address.split('/').pop() || address;
}

function Fact(props: { name: string; value: string; tone?: Tone; title?: string }) {
  return (
    <div className={`fact${props.tone ? ` fact-${props.tone}` : ''}`} title={props.title}>
      <dt>{props.name}</dt>
      <dd>{props.value}</dd>
    </div>
  );
}
