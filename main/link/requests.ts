import type { LinkChannel } from '../../protocol/link/channel';
import { encodeMessage } from '../../protocol/link/codec';
import type { LinkReply, LinkRequest } from '../../protocol/link/messages';
import { LinkError } from './errors';

/** How requests wait and retry. */
export interface RequestPolicy {
  /** How long one attempt waits for its reply, ms. */
  timeoutMs: number;
  /** Attempts before TIMEOUT; a retry reuses the id, so the device answers it only once. */
  attempts: number;
}

interface Pending {
  resolve: (reply: LinkReply) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout | null;
}

/**
 * Matches the station's requests to the device's replies by request id, resending a request
 * whose reply did not come (a frame lost to line noise) and failing every pending request
 * with LINK_LOST when the link closes.
 */
export class RequestTracker {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private closedReason: string | null = null;

  constructor(
    private readonly channel: LinkChannel,
    private readonly policy: RequestPolicy,
  ) {}

  /** Sends the request built for a fresh id and resolves with its non-error reply. */
  async request(build: (id: number) => LinkRequest, policy = this.policy): Promise<LinkReply> {
    if (this.closedReason !== null) throw lost(this.closedReason);
    const id = this.allocateId();
    const bytes = encodeMessage(build(id));

    const reply = await new Promise<LinkReply>((resolve, reject) => {
      const entry: Pending = { resolve, reject, timer: null };
      this.pending.set(id, entry);
      this.attempt(id, bytes, entry, policy, 1);
    });
    if (reply.type === 'error') throw new LinkError(reply.code, reply.message);
    return reply;
  }

  /** Hands a reply from the device to the request waiting for it. */
  settle(reply: LinkReply): void {
    const entry = this.pending.get(reply.id);
    if (!entry) return; // a late answer to a retried or abandoned request
    this.pending.delete(reply.id);
    if (entry.timer) clearTimeout(entry.timer);
    entry.resolve(reply);
  }

  /** Fails everything pending: the link is gone. */
  close(reason: string): void {
    this.closedReason ??= reason;
    for (const [id, entry] of this.pending) {
      if (entry.timer) clearTimeout(entry.timer);
      this.pending.delete(id);
      entry.reject(lost(reason));
    }
  }

  private attempt(
    id: number,
    bytes: Uint8Array,
    entry: Pending,
    policy: RequestPolicy,
    attempt: number,
  ): void {
    this.channel.send(bytes).catch((error: unknown) => {
      this.fail(id, lost(error instanceof Error ? error.message : String(error)));
    });

    entry.timer = setTimeout(() => {
      if (!this.pending.has(id)) return;
      if (attempt < policy.attempts) return this.attempt(id, bytes, entry, policy, attempt + 1);
      this.fail(
        id,
        new LinkError(
          'TIMEOUT',
          `the device did not answer in ${policy.timeoutMs} ms ` +
            `(${policy.attempts} tries); check the cable or move closer`,
        ),
      );
    }, policy.timeoutMs);
  }

  private fail(id: number, error: LinkError): void {
    const entry = this.pending.get(id);
    if (!entry) return;
    this.pending.delete(id);
    if (entry.timer) clearTimeout(entry.timer);
    entry.reject(error);
  }

  private allocateId(): number {
    const id = this.nextId;
    this.nextId = id >= 0xffff ? 1 : id + 1;
    return id;
  }
}

function lost(reason: string): LinkError {
  return new LinkError('LINK_LOST', `the link to the device dropped (${reason}); reconnect`);
}
