import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';

/** Keep-alive connection pools shared by every device of one agent process. */
export interface HttpAgents {
  /** For http: URLs. */
  http: http.Agent;
  /** For https: URLs. */
  https: https.Agent;
}

/** Makes the shared pools; `maxSockets` bounds connections per host. */
export function createHttpAgents(maxSockets = 64): HttpAgents {
  return {
    http: new http.Agent({ keepAlive: true, maxSockets }),
    https: new https.Agent({ keepAlive: true, maxSockets }),
  };
}

/** Closes every pooled socket. */
export function destroyHttpAgents(agents: HttpAgents): void {
  agents.http.destroy();
  agents.https.destroy();
}

/** One request to send. */
export interface HttpRequest {
  /** Absolute URL. */
  url: string;
  /** Method; default GET. */
  method?: string;
  /** Request headers. */
  headers?: Record<string, string>;
  /** Body to send, when any. */
  body?: string;
  /** Abort when no byte moves for this long, ms. */
  idleTimeoutMs: number;
  /** Aborts the request. */
  signal?: AbortSignal;
}

/** Sends a request and resolves with the response head; the body is left to stream. */
export function sendRequest(agents: HttpAgents, request: HttpRequest): Promise<IncomingMessage> {
  const url = new URL(request.url);
  const transport = url.protocol === 'https:' ? https : http;
  const agent = url.protocol === 'https:' ? agents.https : agents.http;

  return new Promise((resolve, reject) => {
    const outgoing = transport.request(url, {
      method: request.method ?? 'GET',
      headers: request.headers,
      agent,
      signal: request.signal,
    });
    outgoing.setTimeout(request.idleTimeoutMs, () => {
      outgoing.destroy(new Error(`no data for ${request.idleTimeoutMs} ms`));
    });
    outgoing.on('response', resolve);
    outgoing.on('error', reject);
    outgoing.end(request.body);
  });
}

/** Reads a whole (small) response body as text. */
export async function readText(response: IncomingMessage): Promise<string> {
  const parts: Buffer[] = [];
  for await (const part of response) parts.push(part as Buffer);
  return Buffer.concat(parts).toString('utf8');
}
