import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

import type { UpdateReport } from '../../protocol/heartbeat';
import { writeJsonAtomic } from '../device/state-file';

/** How an assignment ended on this device. */
export type AssignmentOutcome = 'applied' | 'failed';

/** What the OTA client remembers across restarts, in `<device dir>/ota.json`. */
export interface OtaMemory {
  /** Assignments already tried to the end, newest last, so they are never downloaded again. */
  finished: { assignment_id: string; outcome: AssignmentOutcome }[];
  /** A failure not yet acknowledged by the cloud: sent on every heartbeat until it is. */
  report: UpdateReport | null;
}

/** Assignments remembered; older ones can no longer be re-sent by the cloud anyway. */
const REMEMBERED = 32;

/** Reads the OTA memory of a device, empty when there is none yet. */
export async function loadOtaMemory(deviceDir: string): Promise<OtaMemory> {
  try {
    return JSON.parse(await readFile(join(deviceDir, 'ota.json'), 'utf8')) as OtaMemory;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { finished: [], report: null };
    throw error;
  }
}

/** Writes the OTA memory atomically. */
export function saveOtaMemory(deviceDir: string, memory: OtaMemory): Promise<void> {
  return writeJsonAtomic(join(deviceDir, 'ota.json'), memory);
}

/** Records how an assignment ended, keeping the list bounded. */
export function rememberOutcome(
  memory: OtaMemory,
  assignmentId: string,
  outcome: AssignmentOutcome,
): void {
  memory.finished = memory.finished.filter((entry) => entry.assignment_id !== assignmentId);
  memory.finished.push({ assignment_id: assignmentId, outcome });
  memory.finished.splice(0, Math.max(0, memory.finished.length - REMEMBERED));
}

/** True when the assignment was already tried to the end. */
export function isFinished(memory: OtaMemory, assignmentId: string): boolean {
  return memory.finished.some((entry) => entry.assignment_id === assignmentId);
}
