import { z } from 'zod';

/**
 * The faults one device runs with. Every field is optional; an empty spec is a healthy
 * device. Byte positions count bytes of the image, from 0.
 */
export const FaultSpecSchema = z
  .object({
    /** Drop the connection once this many bytes arrived on it. */
    dropAfterBytes: z.number().int().positive().optional(),
    /** How many connections dropAfterBytes drops; unset drops every one. */
    dropCount: z.number().int().nonnegative().optional(),
    /** Chance (0..1) that the connection drops after any one chunk. */
    dropProbability: z.number().min(0).max(1).optional(),
    /** Flip the byte at this image position on its way in. */
    corruptByteAt: z.number().int().nonnegative().optional(),
    /** Throttle incoming data to this many bytes per second. */
    slowBytesPerS: z.number().positive().optional(),
    /** The bootloader refuses the verified image (true, or the reason to give). */
    refuseApply: z.union([z.boolean(), z.string().min(1)]).optional(),
    /** Start recording when the slot write reaches this image position. */
    recordAtByte: z.number().int().nonnegative().optional(),
    /** Stop that recording again after this many ms; unset keeps recording. */
    recordForMs: z.number().int().nonnegative().optional(),
    /** The process dies (SIGKILL) half-way through the slot write that crosses this position. */
    dieAtByte: z.number().int().nonnegative().optional(),
    /** The flash write that crosses this image position fails. */
    flashErrorAtByte: z.number().int().nonnegative().optional(),
    /** Seed for the random faults, so a run can be repeated. */
    seed: z.number().int().optional(),
  })
  .strict();

/** The faults one device runs with. */
export type FaultSpec = z.infer<typeof FaultSpecSchema>;

/** A scenario file: faults for the whole fleet, and per serial number on top. */
export const FaultScenarioSchema = z
  .object({
    /** Faults every device gets. */
    fleet: FaultSpecSchema.optional(),
    /** Faults for single devices, by serial; merged over `fleet`. */
    devices: z.record(z.string(), FaultSpecSchema).optional(),
  })
  .strict();

/** A scenario file's content. */
export type FaultScenario = z.infer<typeof FaultScenarioSchema>;

/** A scenario that is not valid, with what to fix. */
export class FaultScenarioError extends Error {
  /** Stable code. */
  readonly code = 'FAULT_SCENARIO_INVALID';
}

/** Parses a scenario (already JSON-decoded); throws FaultScenarioError naming the bad field. */
export function parseScenario(input: unknown): FaultScenario {
  const parsed = FaultScenarioSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const where = issue?.path.join('.') || '(top level)';
  throw new FaultScenarioError(`fault scenario invalid at ${where}: ${issue?.message ?? '?'}`);
}

/** The faults for one device: the fleet's, overridden by the device's own. */
export function faultsFor(scenario: FaultScenario, serial: string): FaultSpec {
  return { ...scenario.fleet, ...scenario.devices?.[serial] };
}

/** True when the spec injects nothing. */
export function isHealthy(spec: FaultSpec): boolean {
  return Object.values(spec).every((value) => value === undefined || value === false);
}
