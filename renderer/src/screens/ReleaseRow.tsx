import { useState } from 'react';

import type { Failure, Result } from '../../../contract/station';
import type { Release, ReleaseFileKind } from '../../../protocol/cloud-api';
import { useApi } from '../api/context';
import { Badge } from '../ui/Badge';
import { FailureBox } from '../ui/FailureBox';
import { formatTime, modelName } from '../ui/format';
import { FileDrop } from './FileDrop';

/** One release: its facts, and for a draft its two files and the Release button. */
export function ReleaseRow(props: { release: Release; onChanged: () => void }) {
  const { release } = props;
  const api = useApi();
  const [failure, setFailure] = useState<{ title: string; error: Failure } | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const draft = release.status === 'draft';
  const missing = [!release.bin && '.bin', !release.ufw && '.ufw'].filter(Boolean).join(' and ');

  /** Runs one step; `doing` shows while it runs, `refused` titles its failure. */
  async function run(
    doing: string,
    refused: string,
    action: () => Promise<Result<unknown>>,
  ): Promise<void> {
    setBusy(doing);
    setFailure(null);
    const result = await action();
    setBusy(null);
    if (!result.ok) setFailure({ title: refused, error: result.error });
    props.onChanged();
  }

  const upload = (kind: ReleaseFileKind, bytes: Uint8Array) =>
    run(`Uploading the .${kind} file…`, `The .${kind} file was not accepted`, () =>
      api.call('release:upload', { id: release.id, kind, bytes }),
    );
  const problem = (message: string) =>
    setFailure({
      title: 'Wrong file',
      error: { code: 'WRONG_FILE', message, hint: 'Pick the other file and try again.' },
    });

  return (
    <article className="card release" aria-label={`${modelName(release.model)} ${release.version}`}>
      <header className="card-head">
        <h3>
          {modelName(release.model)} {release.version}
        </h3>
        <Badge tone={draft ? 'warn' : 'good'}>{draft ? 'Draft' : 'Released'}</Badge>
      </header>
      <p className="muted">
        {release.build_version ? `Build ${release.build_version} · ` : ''}
        {draft
          ? `Created ${formatTime(release.created_at)}`
          : `Released ${formatTime(release.released_at ?? release.created_at)}`}
        {release.notes ? ` · ${release.notes}` : ''}
      </p>
      {draft && (
        <div className="drops">
          {(['bin', 'ufw'] as const).map((kind) => (
            <FileDrop
              key={kind}
              kind={kind}
              file={release[kind]}
              disabled={busy !== null}
              onFile={(bytes) => void upload(kind, bytes)}
              onProblem={problem}
            />
          ))}
        </div>
      )}
      {busy && (
        <p className="busy" role="status">
          {busy}
        </p>
      )}
      {failure && (
        <FailureBox
          failure={failure.error}
          title={failure.title}
          onDismiss={() => setFailure(null)}
        />
      )}
      {draft && (
        <div className="actions">
          <button
            type="button"
            className="button primary"
            disabled={busy !== null || missing !== ''}
            onClick={() =>
              run('Releasing…', 'Not released', () =>
                api.call('release:publish', { id: release.id }),
              )
            }
          >
            Release {release.version}
          </button>
          {missing && <span className="muted">Upload the {missing} file first.</span>}
          <button
            type="button"
            className="button quiet"
            disabled={busy !== null}
            onClick={() => {
              const remove = () => api.call('release:delete', { id: release.id });
              void run('Deleting…', 'Not deleted', remove);
            }}
          >
            Delete draft
          </button>
        </div>
      )}
    </article>
  );
}
