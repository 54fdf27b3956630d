import { type FormEvent, useState } from 'react';

import type { SettingsView, StationSettings } from '../../../contract/ipc';
import type { Failure } from '../../../contract/station';
import { useApi } from '../api/context';
import { useQuery } from '../api/use-query';
import { FailureBox } from '../ui/FailureBox';
import { Loaded } from '../ui/Loading';
import { LogPanel } from './LogPanel';

/** Cloud endpoint, blob storage and API token, plus the live station log. */
export function SettingsScreen() {
  const settings = useQuery('settings:get', {}, 'settings');
  return (
    <section aria-labelledby="settings-title">
      <h1 id="settings-title">Settings</h1>
      <Loaded result={settings.result} what="settings">
        {(view) => <SettingsForm view={view} onSaved={settings.reload} />}
      </Loaded>
      <LogPanel />
    </section>
  );
}

function SettingsForm(props: { view: SettingsView; onSaved: () => void }) {
  const api = useApi();
  const [draft, setDraft] = useState<StationSettings>(props.view.settings);
  const [failure, setFailure] = useState<Failure | null>(null);
  const [saved, setSaved] = useState(false);

  async function submit(event: FormEvent): Promise<void> {
    event.preventDefault();
    const result = await api.call('settings:update', draft);
    setFailure(result.ok ? null : result.error);
    setSaved(result.ok);
    if (result.ok) props.onSaved();
  }

  return (
    <form className="card form" onSubmit={submit} aria-label="Station settings">
      <dl className="facts">
        <div className="fact fact-wide">
          <dt>Cloud in use</dt>
          <dd className="mono">{props.view.activeCloudUrl}</dd>
        </div>
        <div className="fact">
          <dt>API token in use</dt>
          <dd className="mono">{props.view.tokenHint}</dd>
        </div>
        <div className="fact fact-wide">
          <dt>Data folder</dt>
          <dd className="mono">{props.view.dataDir}</dd>
        </div>
      </dl>
      <CloudFields settings={draft} onChange={setDraft} />
      {draft.cloud.mode === 'embedded' && <BlobFields settings={draft} onChange={setDraft} />}
      {failure && <FailureBox failure={failure} title="Settings not saved" />}
      {(saved || props.view.restartNeeded) && (
        <p className="banner banner-info" role="status">
          Saved. Restart the station to use the new settings.
        </p>
      )}
      <button type="submit" className="button primary">
        Save settings
      </button>
    </form>
  );
}

type FieldsProps = { settings: StationSettings; onChange: (next: StationSettings) => void };

function CloudFields({ settings, onChange }: FieldsProps) {
  const cloud = settings.cloud;
  return (
    <fieldset>
      <legend>Cloud endpoint</legend>
      <label className="radio">
        <input
          type="radio"
          name="cloud"
          checked={cloud.mode === 'embedded'}
          onChange={() => onChange({ ...settings, cloud: { mode: 'embedded' } })}
        />
        Embedded cloud (runs inside this station)
      </label>
      <label className="radio">
        <input
          type="radio"
          name="cloud"
          checked={cloud.mode === 'remote'}
          onChange={() => onChange({ ...settings, cloud: { mode: 'remote', url: '', token: '' } })}
        />
        Remote cloud
      </label>
      {cloud.mode === 'remote' && (
        <div className="form-row">
          <label>
            Cloud address
            <input
              value={cloud.url}
              placeholder="https://cloud.example.com"
              onChange={(e) => onChange({ ...settings, cloud: { ...cloud, url: e.target.value } })}
            />
          </label>
          <label>
            API token (operator or admin)
            <input
              type="password"
              value={cloud.token}
              autoComplete="off"
              onChange={(e) =>
                onChange({ ...settings, cloud: { ...cloud, token: e.target.value } })
              }
            />
          </label>
        </div>
      )}
    </fieldset>
  );
}

function BlobFields({ settings, onChange }: FieldsProps) {
  const blob = settings.blob;
  return (
    <fieldset>
      <legend>Firmware file storage</legend>
      <label className="radio">
        <input
          type="radio"
          name="blob"
          checked={blob.kind === 'local'}
          onChange={() => onChange({ ...settings, blob: { kind: 'local' } })}
        />
        On this computer (data folder)
      </label>
      <label className="radio">
        <input
          type="radio"
          name="blob"
          checked={blob.kind === 's3'}
          onChange={() => onChange({ ...settings, blob: { kind: 's3', bucket: '' } })}
        />
        S3 bucket
      </label>
      {blob.kind === 's3' && (
        <div className="form-row">
          {(['bucket', 'endpoint', 'region', 'accessKeyId', 'secretAccessKey'] as const).map(
            (field) => (
              <label key={field}>
                {S3_LABELS[field]}
                <input
                  type={field === 'secretAccessKey' ? 'password' : 'text'}
                  value={blob[field] ?? ''}
                  onChange={(e) =>
                    onChange({ ...settings, blob: withS3Field(blob, field, e.target.value) })
                  }
                />
              </label>
            ),
          )}
        </div>
      )}
    </fieldset>
  );
}

type S3Blob = Extract<StationSettings['blob'], { kind: 's3' }>;

/** The S3 settings with one field changed; an emptied optional field is left out. */
function withS3Field(blob: S3Blob, field: keyof typeof S3_LABELS, value: string): S3Blob {
  if (field === 'bucket') return { ...blob, bucket: value };
  return { ...blob, [field]: value || undefined };
}

const S3_LABELS = {
  bucket: 'Bucket',
  endpoint: 'Endpoint (blank for AWS)',
  region: 'Region',
  accessKeyId: 'Access key id',
  secretAccessKey: 'Secret access key',
};
