/**
 * Fault injection for virtual devices: a spec per device (from CLI flags or a scenario
 * file), applied at the download/link stream seam and at the device's slot writer and
 * bootloader hooks.
 */
export {
  ConnectionDropped,
  DeviceFaults,
  type RecordingControl,
  type StreamChunk,
  type StreamVerdict,
} from './injector';
export {
  type FaultScenario,
  FaultScenarioError,
  faultsFor,
  type FaultSpec,
  isHealthy,
  parseScenario,
} from './spec';
