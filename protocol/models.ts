/** The Bota device models, by the id used on every wire and in every store. */
export const DEVICE_MODELS = ['bota-pin', 'bota-pin-pro', 'bota-note'] as const;

/** One Bota device model id. */
export type DeviceModel = (typeof DEVICE_MODELS)[number];

/** What the station, cloud and agent need to know about one model. */
export interface ModelInfo {
  /** The model's id. */
  id: DeviceModel;
  /** The name a person reads. */
  name: string;
  /** The code the `.ufw` header carries. */
  code: number;
  /** Prefix of the model's serial numbers, e.g. `PIN` in `PIN-00042`. */
  serialPrefix: string;
  /** Size of one firmware slot in flash: no image may be larger. */
  slotBytes: number;
}

const MIB = 1024 * 1024;

const MODELS: Record<DeviceModel, ModelInfo> = {
  'bota-pin': {
    id: 'bota-pin',
    name: 'Bota Pin',
    code: 1,
    serialPrefix: 'PIN',
    slotBytes: 4 * MIB,
  },
  'bota-pin-pro': {
    id: 'bota-pin-pro',
    name: 'Bota Pin Pro',
    code: 2,
    serialPrefix: 'PRO',
    slotBytes: 8 * MIB,
  },
  'bota-note': {
    id: 'bota-note',
    name: 'Bota Note',
    code: 3,
    serialPrefix: 'NOTE',
    slotBytes: 8 * MIB,
  },
};

/** True when `value` names a known model. */
export function isDeviceModel(value: unknown): value is DeviceModel {
  return typeof value === 'string' && (DEVICE_MODELS as readonly string[]).includes(value);
}

/** The facts about a model. */
export function modelInfo(model: DeviceModel): ModelInfo {
  return MODELS[model];
}

/** The model a `.ufw` header code stands for, or undefined for an unknown code. */
export function modelByCode(code: number): DeviceModel | undefined {
  return DEVICE_MODELS.find((model) => MODELS[model].code === code);
}
