import { modelByCode, modelInfo } from '../models';
import { type ByteReader, type ByteWriter, LinkCodecError } from './bytes';
import type { LinkIdentity } from './messages';

const RECORDING = 0x01;
const CAN_RESUME = 0x02;
const PROVISIONED = 0x04;
const KNOWN_FLAGS = RECORDING | CAN_RESUME | PROVISIONED;

/**
 * Writes an identity: model code u8, flags u8, battery u8, max chunk u32, serial, firmware
 * version, and the device id only when the provisioned flag is set.
 */
export function encodeIdentity(out: ByteWriter, identity: LinkIdentity): ByteWriter {
  let flags = 0;
  if (identity.recording) flags |= RECORDING;
  if (identity.canResume) flags |= CAN_RESUME;
  if (identity.deviceId !== null) flags |= PROVISIONED;

  out.u8(modelInfo(identity.model).code).u8(flags).u8(identity.battery).u32(identity.maxChunk);
  out.text(identity.serial).text(identity.firmwareVersion);
  if (identity.deviceId !== null) out.text(identity.deviceId);
  return out;
}

/** Reads an identity written by encodeIdentity; throws LinkCodecError when it is malformed. */
export function decodeIdentity(reader: ByteReader): LinkIdentity {
  const code = reader.u8();
  const model = modelByCode(code);
  if (!model) throw new LinkCodecError(`unknown device model code ${code}`);
  const flags = reader.u8();
  if ((flags & ~KNOWN_FLAGS) !== 0) throw new LinkCodecError(`unknown identity flags ${flags}`);
  const battery = reader.u8();
  if (battery > 100) throw new LinkCodecError(`battery ${battery} % is over 100`);

  const maxChunk = reader.u32();
  const serial = reader.text();
  const firmwareVersion = reader.text();
  const deviceId = (flags & PROVISIONED) !== 0 ? reader.text() : null;
  return {
    model,
    serial,
    firmwareVersion,
    recording: (flags & RECORDING) !== 0,
    battery,
    deviceId,
    canResume: (flags & CAN_RESUME) !== 0,
    maxChunk,
  };
}
