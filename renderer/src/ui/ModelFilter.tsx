import { DEVICE_MODELS, type DeviceModel } from '../../../protocol/models';
import { modelName } from './format';

/** A "Model" filter: every model, or all of them (the empty value). */
export function ModelFilter(props: {
  value: DeviceModel | '';
  onChange: (model: DeviceModel | '') => void;
}) {
  return (
    <label>
      Model
      <select
        value={props.value}
        onChange={(e) => props.onChange(e.target.value as DeviceModel | '')}
      >
        <option value="">All models</option>
        {DEVICE_MODELS.map((id) => (
          <option key={id} value={id}>
            {modelName(id)}
          </option>
        ))}
      </select>
    </label>
  );
}
