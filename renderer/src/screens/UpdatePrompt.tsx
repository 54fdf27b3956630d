import { useState } from 'react';

import type { ConnectedDevice, UpdateRequest } from '../../../contract/station';

/**
 * The update offer on a device card: a newer released firmware, or a pending HTTP OTA
 * assignment the station can install over its own link. Asks once to confirm, because the
 * device restarts at the end.
 */
export function UpdatePrompt(props: {
  device: ConnectedDevice;
  busy: boolean;
  onStart: (request: UpdateRequest) => void;
}) {
  const { device } = props;
  const [confirming, setConfirming] = useState(false);
  const link = device.link === 'ble' ? 'Bluetooth' : 'USB';
  const offer = offerFor(device, link);
  if (!offer) return null;

  if (!confirming) {
    return (
      <div className="prompt" role="status">
        <p className="prompt-text">{offer.text}</p>
        <button
          type="button"
          className="button primary"
          disabled={props.busy}
          onClick={() => setConfirming(true)}
        >
          {offer.action}
        </button>
      </div>
    );
  }

  return (
    <div className="prompt confirm" role="group" aria-label="Confirm update">
      <p className="prompt-text">
        Install {offer.version} on {device.identity?.serial ?? device.name} over {link}? The device
        restarts at the end; keep it close and charged until it says Done.
      </p>
      <div className="actions">
        <button
          type="button"
          className="button primary"
          autoFocus
          disabled={props.busy}
          onClick={() => {
            setConfirming(false);
            props.onStart(offer.request);
          }}
        >
          Yes, install {offer.version}
        </button>
        <button type="button" className="button quiet" onClick={() => setConfirming(false)}>
          Not now
        </button>
      </div>
    </div>
  );
}

function offerFor(
  device: ConnectedDevice,
  link: string,
): { text: string; action: string; version: string; request: UpdateRequest } | null {
  const assignment = device.pendingAssignment;
  if (assignment) {
    return {
      text: `${assignment.version} is assigned to this device over HTTP OTA.`,
      action: `Install now over ${link}`,
      version: assignment.version,
      request: { assignmentId: assignment.assignmentId },
    };
  }
  const available = device.availableUpdate;
  if (available) {
    return {
      text: `Update available: ${available.version} (running ${device.identity?.firmwareVersion}).`,
      action: `Update to ${available.version}`,
      version: available.version,
      request: { releaseId: available.releaseId },
    };
  }
  return null;
}
