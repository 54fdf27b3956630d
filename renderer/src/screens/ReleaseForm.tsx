import { type FormEvent, useState } from 'react';

import type { Failure } from '../../../contract/station';
import { DEVICE_MODELS, type DeviceModel } from '../../../protocol/models';
import { useApi } from '../api/context';
import { FailureBox } from '../ui/FailureBox';
import { modelName } from '../ui/format';

const VERSION = /^v\d{1,4}\.\d{1,4}\.\d{1,4}$/;

/** Creates a draft release: version, model and notes. Files are added on its row. */
export function ReleaseForm(props: { onCreated: () => void }) {
  const api = useApi();
  const [version, setVersion] = useState('');
  const [model, setModel] = useState<DeviceModel>('bota-pin');
  const [notes, setNotes] = useState('');
  const [failure, setFailure] = useState<Failure | null>(null);
  const [busy, setBusy] = useState(false);
  const versionProblem =
    version && !VERSION.test(version.trim()) ? 'Use a version like v1.0.1 (no build).' : null;

  async function submit(event: FormEvent): Promise<void> {
    event.preventDefault();
    setBusy(true);
    const result = await api.call('release:create', {
      version: version.trim(),
      model,
      notes: notes.trim() || undefined,
    });
    setBusy(false);
    setFailure(result.ok ? null : result.error);
    if (!result.ok) return;

    setVersion('');
    setNotes('');
    props.onCreated();
  }

  return (
    <form className="card form" onSubmit={submit} aria-labelledby="new-release-title">
      <h2 id="new-release-title">New release</h2>
      <div className="form-row">
        <label>
          Version
          <input
            name="version"
            value={version}
            placeholder="v1.0.1"
            aria-invalid={versionProblem ? true : undefined}
            aria-describedby="version-help"
            onChange={(event) => setVersion(event.target.value)}
            required
          />
        </label>
        <label>
          Device model
          <select
            name="model"
            value={model}
            onChange={(event) => setModel(event.target.value as DeviceModel)}
          >
            {DEVICE_MODELS.map((id) => (
              <option key={id} value={id}>
                {modelName(id)}
              </option>
            ))}
          </select>
        </label>
      </div>
      <p id="version-help" className={versionProblem ? 'field-error' : 'muted'}>
        {versionProblem ?? 'The release version as Bota names it, e.g. v1.0.1.'}
      </p>
      <label>
        Notes
        <textarea name="notes" value={notes} rows={2} onChange={(e) => setNotes(e.target.value)} />
      </label>
      {failure && <FailureBox failure={failure} title="Could not create the release" />}
      <button type="submit" className="button primary" disabled={busy || !!versionProblem}>
        Create draft release
      </button>
    </form>
  );
}
