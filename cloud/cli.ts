// `npm run cloud`: the cloud as its own process. Flags and env vars in cli-options.ts.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { parseCli, USAGE } from './cli-options';
import { type CloudOptions, createCloud } from './index';

async function main(): Promise<void> {
  const request = parseCli(process.argv.slice(2), process.env);
  if (request.help) {
    console.log(USAGE);
    return;
  }
  if (request.writeOpenapi) {
    await writeOpenapi(request.writeOpenapi);
    return;
  }
  await serve(request.options);
}

async function serve(options: CloudOptions): Promise<void> {
  const cloud = await createCloud(options);
  if (cloud.createdAdminToken) {
    // Printed once: only its hash is stored, so it cannot be shown again.
    console.log(
      `First admin token (save it now, it is not shown again): ${cloud.createdAdminToken}`,
    );
  }

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.error(`cloud: ${signal} received, shutting down`);
    cloud.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

/** Starts a throwaway cloud only to read the OpenAPI document its schemas produce. */
async function writeOpenapi(path: string): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), 'bota-openapi-'));
  try {
    const cloud = await createCloud({ dataDir, logLevel: 'silent', adminToken: 'openapi' });
    const document = cloud.server.swagger();
    await cloud.close();
    await writeFile(path, `${JSON.stringify(document, null, 2)}\n`);
    console.log(`wrote ${path}`);
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
