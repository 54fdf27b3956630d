// `npm run ufw -- pack|inspect`: builds and reads `.bin`/`.ufw` pairs for tests, demos and admins.
import { readFile, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';

import { crc32, formatCrc32 } from './crc32';
import { buildImage, describeImage } from './image';
import { isDeviceModel, modelInfo } from './models';
import { encodeUfw, parseUfw, UfwError } from './ufw';
import { isVersion } from './version';

const USAGE = `usage:
  npm run ufw -- pack --model <bota-pin|bota-pin-pro|bota-note> --version v1.0.1-001
                      [--size 1MiB | --image firmware.bin] [--out DIR]
  npm run ufw -- inspect FILE.ufw`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === 'pack') return pack(rest);
  if (command === 'inspect') return inspect(rest);
  console.error(USAGE);
  return 2;
}

async function pack(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      model: { type: 'string' },
      version: { type: 'string' },
      size: { type: 'string', default: '256KiB' },
      image: { type: 'string' },
      out: { type: 'string', default: '.' },
    },
  });
  const { model, version } = values;
  if (!isDeviceModel(model))
    return fail(`--model must be one of bota-pin, bota-pin-pro, bota-note`);
  if (!version || !isVersion(version)) return fail(`--version must look like v1.0.1-001`);

  const image = values.image
    ? await readFile(values.image)
    : buildImage({ model, version }, parseSize(values.size));
  const stem = join(values.out, `${model}-${version}`);
  await writeFile(`${stem}.bin`, image);
  await writeFile(`${stem}.ufw`, encodeUfw({ model, version }, image));

  console.log(
    `wrote ${stem}.bin and ${stem}.ufw (${modelInfo(model).name} ${version}, ` +
      `${image.length} bytes, CRC32 ${formatCrc32(crc32(image))})`,
  );
  return 0;
}

async function inspect(argv: string[]): Promise<number> {
  const file = argv[0];
  if (!file) return fail(USAGE);

  try {
    const { header, image } = parseUfw(await readFile(file));
    const inside = describeImage(image);
    console.log(`${basename(file)}: valid .ufw`);
    console.log(`  model:     ${modelInfo(header.model).name} (${header.model})`);
    console.log(`  version:   ${header.version}`);
    console.log(
      `  image:     ${header.imageLength} bytes, CRC32 ${formatCrc32(header.imageCrc32)}`,
    );
    console.log(
      `  signed:    ${header.signature ? `yes (${header.signature.length} bytes)` : 'no'}`,
    );
    if (inside) console.log(`  boots as:  ${inside.version} on ${inside.model}`);
    return 0;
  } catch (error) {
    if (error instanceof UfwError)
      return fail(`${basename(file)}: ${error.code}: ${error.message}`);
    throw error;
  }
}

function parseSize(text: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*(B|KiB|MiB)?$/i.exec(text);
  if (!match) throw new Error(`--size "${text}" is not a size like 512KiB or 1MiB`);
  const unit = (match[2] ?? 'B').toLowerCase();
  const scale = unit === 'mib' ? 1024 * 1024 : unit === 'kib' ? 1024 : 1;
  return Math.round(Number(match[1]) * scale);
}

function fail(message: string): number {
  console.error(message);
  return 1;
}

process.exitCode = await main(process.argv.slice(2));
