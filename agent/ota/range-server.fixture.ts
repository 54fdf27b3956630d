import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** How the test file server behaves. */
export interface RangeServerOptions {
  /** Ignore Range headers and always send the whole file with 200. */
  ignoreRange?: boolean;
  /** Answer every request with this status and no body. */
  status?: number;
}

/** A tiny real HTTP file server with Range support, for download tests. */
export interface RangeServer {
  /** URL of the one file. */
  url: string;
  /** Range headers received, in order (`null` for a request without one). */
  ranges: (string | null)[];
  /** Stops the server. */
  close(): Promise<void>;
}

/** Serves `body` at `/image.bin` on 127.0.0.1, port 0. */
export async function startRangeServer(
  body: Buffer,
  options: RangeServerOptions = {},
): Promise<RangeServer> {
  const ranges: (string | null)[] = [];
  const server: Server = createServer((request, response) => {
    const range = request.headers.range ?? null;
    ranges.push(range);
    if (options.status) {
      response.writeHead(options.status).end();
      return;
    }
    const match = /^bytes=(\d+)-$/.exec(range ?? '');
    if (!match || options.ignoreRange) {
      response.writeHead(200, { 'content-length': body.length }).end(body);
      return;
    }
    const start = Number(match[1]);
    response.writeHead(206, {
      'content-length': body.length - start,
      'content-range': `bytes ${start}-${body.length - 1}/${body.length}`,
    });
    response.end(body.subarray(start));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/image.bin`,
    ranges,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
