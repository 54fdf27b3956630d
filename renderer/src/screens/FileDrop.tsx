import { type DragEvent, useRef, useState } from 'react';

import type { ReleaseFile, ReleaseFileKind } from '../../../protocol/cloud-api';
import { formatBytes } from '../ui/format';

/** What each file is for, in words. */
const PURPOSE: Record<ReleaseFileKind, string> = {
  bin: 'HTTP OTA binary (.bin), downloaded by devices over WiFi / 4G',
  ufw: 'Bluetooth / USB OTA file (.ufw), pushed by the station',
};

/**
 * A drop zone and file picker for one release file. Checks the extension before sending,
 * so a swapped .bin/.ufw is caught in words at once; the cloud checks the content.
 */
export function FileDrop(props: {
  kind: ReleaseFileKind;
  file: ReleaseFile | null;
  disabled: boolean;
  onFile: (bytes: Uint8Array, name: string) => void;
  onProblem: (message: string) => void;
}) {
  const input = useRef<HTMLInputElement>(null);
  const [over, setOver] = useState(false);

  async function take(file: File | undefined): Promise<void> {
    if (!file) return;
    if (!file.name.toLowerCase().endsWith(`.${props.kind}`)) {
      props.onProblem(
        `"${file.name}" is not a .${props.kind} file: pick the ${PURPOSE[props.kind]}.`,
      );
      return;
    }
    props.onFile(new Uint8Array(await file.arrayBuffer()), file.name);
  }

  function drop(event: DragEvent): void {
    event.preventDefault();
    setOver(false);
    if (!props.disabled) void take(event.dataTransfer.files[0]);
  }

  return (
    <div
      className={`drop${over ? ' drop-over' : ''}${props.file ? ' drop-done' : ''}`}
      onDragOver={(event) => {
        event.preventDefault();
        setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={drop}
      data-kind={props.kind}
    >
      <p className="drop-title">.{props.kind} file</p>
      <p className="muted">{PURPOSE[props.kind]}</p>
      {props.file ? (
        <p className="drop-state">
          Uploaded: {formatBytes(props.file.size)}, CRC32{' '}
          {props.file.crc32.toString(16).padStart(8, '0')}
        </p>
      ) : (
        <p className="drop-state">Drop the file here, or</p>
      )}
      <button
        type="button"
        className="button"
        disabled={props.disabled}
        onClick={() => input.current?.click()}
      >
        {props.file ? `Replace .${props.kind}…` : `Choose .${props.kind} file…`}
      </button>
      <input
        ref={input}
        hidden
        type="file"
        accept={`.${props.kind}`}
        disabled={props.disabled}
        aria-label={`Choose the .${props.kind} file`}
        onChange={(event) => {
          void take(event.target.files?.[0]);
          event.target.value = '';
        }}
      />
    </div>
  );
}
