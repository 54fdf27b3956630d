import { useState } from 'react';

import type { ReleaseStatus } from '../../../contract/ipc';
import type { DeviceModel } from '../../../protocol/models';
import { useQuery } from '../api/use-query';
import { Empty } from '../ui/Empty';
import { Loaded } from '../ui/Loading';
import { ModelFilter } from '../ui/ModelFilter';
import { ReleaseForm } from './ReleaseForm';
import { ReleaseRow } from './ReleaseRow';

/** Firmware releases: create one, add its files, release it; list by model and status. */
export function FirmwareScreen() {
  const [model, setModel] = useState<DeviceModel | ''>('');
  const [status, setStatus] = useState<ReleaseStatus | ''>('');
  const args = { model: model || undefined, status: status || undefined };
  const releases = useQuery('release:list', args, `${model}/${status}`);

  return (
    <section aria-labelledby="firmware-title">
      <h1 id="firmware-title">Firmware releases</h1>
      <ReleaseForm onCreated={releases.reload} />
      <div className="filters" role="group" aria-label="Filter releases">
        <ModelFilter value={model} onChange={setModel} />
        <label>
          Status
          <select value={status} onChange={(e) => setStatus(e.target.value as ReleaseStatus | '')}>
            <option value="">Drafts and released</option>
            <option value="draft">Drafts</option>
            <option value="released">Released</option>
          </select>
        </label>
      </div>
      <Loaded result={releases.result} what="releases">
        {(list) =>
          list.length === 0 ? (
            <Empty title="No releases yet">
              <p>Create a release above, then upload the .bin and .ufw files Bota sent you.</p>
            </Empty>
          ) : (
            <div className="release-list">
              {list.map((release) => (
                <ReleaseRow key={release.id} release={release} onChanged={releases.reload} />
              ))}
            </div>
          )
        }
      </Loaded>
    </section>
  );
}
