import { seededRandom } from '../random';
import { exchangeTimeUs, linkLayerFragments, type LinkParameters } from './link-model';

/** Which end of a connection a packet leaves from. */
export type LinkSide = 'central' | 'peripheral';

/** Where the scheduler gets time and chance from; tests pass their own. */
export interface LinkSchedulerOptions {
  /** Uniform random numbers in [0, 1) for packet loss; default a seeded generator. */
  random?: () => number;
  /** Milliseconds on a monotonic clock; default performance.now. */
  now?: () => number;
  /** The radio time of the central this link belongs to, shared with its other links. */
  air?: SharedAir;
}

/**
 * One central's radio time. A controller with several connections interleaves their
 * connection events, so each busy link gets an equal share of every interval; an idle link
 * takes none.
 */
export class SharedAir {
  private readonly links = new Set<{ busy(): boolean }>();

  /** Adds a link; returns the function that removes it. */
  join(link: { busy(): boolean }): () => void {
    this.links.add(link);
    return () => this.links.delete(link);
  }

  /** How many links have something queued now (at least 1: the one asking). */
  busyLinks(): number {
    let busy = 0;
    for (const link of this.links) if (link.busy()) busy += 1;
    return Math.max(1, busy);
  }
}

/** Opcode and error code of LL_TERMINATE_IND. */
const LL_CONTROL_BYTES = 2;

interface Fragment {
  bytes: number;
  queuedAt: number;
  delivered: (() => void) | null;
}

/**
 * Carries ATT PDUs across one connection, both ways, at the pace of the link model
 * (link-model.ts): packets wait in their side's queue and cross only in connection events,
 * on a fixed grid of connection intervals, as many per event as fit in its air time. A
 * packet can only join an event that starts after it was queued. A lost packet ends the
 * event and is sent first in a later one. This is the only place the radio's timing lives.
 */
export class LinkScheduler {
  private readonly queues: Record<LinkSide, Fragment[]> = { central: [], peripheral: [] };
  private readonly waiting: Record<LinkSide, number> = { central: 0, peripheral: 0 };
  private readonly random: () => number;
  private readonly now: () => number;
  private readonly anchor: number;
  private nextEventAt: number;
  private timer: NodeJS.Timeout | null = null;
  private closed = false;
  private readonly air: SharedAir | null;
  private readonly leaveAir: () => void;

  constructor(
    private readonly params: LinkParameters,
    options: LinkSchedulerOptions = {},
  ) {
    this.random = options.random ?? seededRandom(0x5eed);
    this.now = options.now ?? (() => performance.now());
    this.anchor = this.now();
    this.nextEventAt = this.anchor + params.connectionIntervalMs;
    this.air = options.air ?? null;
    this.leaveAir = this.air?.join({ busy: () => this.hasWork() }) ?? (() => undefined);
  }

  /** Queues one ATT PDU of `attBytes`; `delivered` runs once its last fragment crossed. */
  send(from: LinkSide, attBytes: number, delivered: () => void): void {
    this.enqueue(from, linkLayerFragments(attBytes, this.params.dataLength), delivered);
  }

  /** Queues a link-layer control PDU (a terminate indication), behind what is queued. */
  sendLinkControl(from: LinkSide, delivered: () => void): void {
    this.enqueue(from, [LL_CONTROL_BYTES], delivered);
  }

  /** ATT PDUs queued on one side and not yet across. */
  pending(from: LinkSide): number {
    return this.waiting[from];
  }

  /** Stops the connection: queued packets are dropped, nothing more is delivered. */
  close(): void {
    this.closed = true;
    this.leaveAir();
    this.queues.central.length = 0;
    this.queues.peripheral.length = 0;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private enqueue(from: LinkSide, fragments: number[], delivered: () => void): void {
    if (this.closed) return;
    const queuedAt = this.now();

    fragments.forEach((bytes, index) => {
      const last = index === fragments.length - 1;
      this.queues[from].push({ bytes, queuedAt, delivered: last ? delivered : null });
    });
    this.waiting[from] += 1;

    this.wake();
  }

  private wake(): void {
    if (this.timer || this.closed) return;
    const now = this.now();
    const interval = this.params.connectionIntervalMs;

    // After an idle spell the next event is the next point on the interval grid.
    if (this.nextEventAt < now) {
      this.nextEventAt = this.anchor + Math.ceil((now - this.anchor) / interval) * interval;
    }
    this.timer = setTimeout(() => this.tick(), this.nextEventAt - now);
  }

  private tick(): void {
    this.timer = null;
    const now = this.now();

    // A late timer runs every event that fell due since, each with only the packets that
    // were queued before it started, so timer lag never adds capacity.
    while (!this.closed && this.nextEventAt <= now && this.hasWork()) {
      this.runEvent(this.nextEventAt);
      this.nextEventAt += this.params.connectionIntervalMs;
    }

    if (this.hasWork()) this.wake();
  }

  private runEvent(startedAt: number): void {
    const budgetUs = (this.params.connectionIntervalMs * 1000) / (this.air?.busyLinks() ?? 1);
    let usedUs = 0;

    for (;;) {
      const central = this.head('central', startedAt);
      const peripheral = this.head('peripheral', startedAt);
      if (!central && !peripheral) return;

      // Every event carries at least one exchange, as a controller always serves the anchor
      // point, even when many links leave each a share shorter than that.
      const exchangeUs = exchangeTimeUs(
        this.params.phy,
        central?.bytes ?? 0,
        peripheral?.bytes ?? 0,
      );
      if (usedUs > 0 && usedUs + exchangeUs > budgetUs) return;
      usedUs += exchangeUs;

      // The peripheral answers only a packet it heard; the central closes the event when it
      // misses the answer. Either way the missed packet waits for a later event.
      if (this.lost()) return;
      if (central) this.deliver('central');
      if (this.lost()) return;
      if (peripheral) this.deliver('peripheral');
    }
  }

  private head(side: LinkSide, eventAt: number): Fragment | undefined {
    const fragment = this.queues[side][0];
    return fragment && fragment.queuedAt <= eventAt ? fragment : undefined;
  }

  private deliver(side: LinkSide): void {
    const fragment = this.queues[side].shift();
    if (!fragment?.delivered) return;

    this.waiting[side] -= 1;
    fragment.delivered();
  }

  private lost(): boolean {
    return this.params.loss > 0 && this.random() < this.params.loss;
  }

  private hasWork(): boolean {
    return this.queues.central.length > 0 || this.queues.peripheral.length > 0;
  }
}
