import type { FleetSummary } from '../../protocol/cloud-api';
import { AssignmentService } from './assignments';
import { AuthService } from './auth';
import type { CloudContext } from './context';
import { DeviceService } from './devices';
import { HeartbeatService } from './heartbeats';
import { ReleaseService } from './releases';

/** Every domain service of one cloud, built over one context. */
export interface CloudServices {
  /** Shared state. */
  context: CloudContext;
  /** Tokens and roles. */
  auth: AuthService;
  /** Releases and their files. */
  releases: ReleaseService;
  /** Devices. */
  devices: DeviceService;
  /** Assignments. */
  assignments: AssignmentService;
  /** Heartbeats. */
  heartbeats: HeartbeatService;
  /** Counts for the fleet view. */
  fleet(): FleetSummary;
}

/** Builds the services over a context. */
export function createServices(context: CloudContext): CloudServices {
  const devices = new DeviceService(context);
  const assignments = new AssignmentService(context);
  return {
    context,
    auth: new AuthService(context),
    releases: new ReleaseService(context),
    devices,
    assignments,
    heartbeats: new HeartbeatService(context, devices, assignments),
    fleet: () => ({
      by_version: context.repos.devices.countByVersion(),
      by_status: context.repos.assignments.countByStatus(),
    }),
  };
}
