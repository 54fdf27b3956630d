import { EventEmitter } from 'node:events';

import {
  HEARTBEAT_PATH,
  heartbeatHeaders,
  type HeartbeatReply,
  type OtaManifest,
} from '../../protocol/heartbeat';
import type { VirtualDevice } from '../device/device';
import type { DeviceFaults } from '../faults';
import { type AgentLogger, silentLogger } from '../log';
import type { DownloadOptions } from './download';
import { type HttpAgents, readText, sendRequest } from './http';
import {
  isFinished,
  loadOtaMemory,
  type OtaMemory,
  rememberOutcome,
  saveOtaMemory,
} from './memory';
import { runUpdate, type UpdateOutcome } from './update';

/** Where a device's HTTP OTA stands, for summaries. */
export type OtaPhase = 'idle' | 'downloading' | 'rebooting' | 'failed';

/** How a device's HTTP OTA client behaves. */
export interface OtaClientOptions {
  /** Shared connection pools. */
  agents: HttpAgents;
  /** Heartbeat interval, ms; when set it overrides the cloud's `heartbeat_interval_s`. */
  intervalMs?: number;
  /** Delay before the first heartbeat, ms (staggers a fleet); default 0. */
  firstDelayMs?: number;
  /** Spread of each interval, as a share of it (0.1 = ±10 %); default 0.1. */
  jitter?: number;
  /** Give up a heartbeat on which nothing moved for this long, ms; default 10000. */
  requestTimeoutMs?: number;
  /** Download tuning (tries, retry delay, idle timeout). */
  download?: Pick<DownloadOptions, 'maxTries' | 'retryDelayMs' | 'idleTimeoutMs'>;
  /** Faults to pass the download through. */
  faults?: DeviceFaults;
  /** Where state changes are logged. */
  logger?: AgentLogger;
}

/** Events an OTA client emits. */
export interface OtaClientEvents {
  /** Its phase changed. */
  phase: [OtaPhase];
  /** The cloud answered a heartbeat. */
  reply: [HeartbeatReply];
  /** An update attempt ended. */
  outcome: [UpdateOutcome, string];
}

const DEFAULT_INTERVAL_MS = 60_000;

/**
 * A device's own HTTP heartbeat and OTA: signed heartbeats on an interval (paused while a
 * station link is attached), and on a manifest a download that runs beside them.
 */
export class OtaClient extends EventEmitter<OtaClientEvents> {
  private memory: OtaMemory = { finished: [], report: null };
  private timer: NodeJS.Timeout | null = null;
  private beating: Promise<void> | null = null;
  private again = false;
  private cloudIntervalMs: number | null = null;
  private update: Promise<void> | null = null;
  private readonly abort = new AbortController();
  private current: OtaPhase = 'idle';
  private failedBeats = 0;
  private readonly log: AgentLogger;

  constructor(
    private readonly device: VirtualDevice,
    private readonly options: OtaClientOptions,
  ) {
    super();
    this.log = (options.logger ?? silentLogger).child({ serial: device.serial });
  }

  /** The current phase. */
  get phase(): OtaPhase {
    return this.current;
  }

  /** The interval it heartbeats at now: the override, else the cloud's, else 60 s. */
  get intervalMs(): number {
    return this.options.intervalMs ?? this.cloudIntervalMs ?? DEFAULT_INTERVAL_MS;
  }

  /** Loads what it remembers and schedules the first heartbeat. */
  async start(): Promise<void> {
    this.memory = await loadOtaMemory(this.device.stateDir);
    if (this.memory.report) this.setPhase('failed');
    this.schedule(this.options.firstDelayMs ?? 0);
  }

  /** Stops heartbeats and any download, and waits for both to wind down. */
  async stop(): Promise<void> {
    this.abort.abort();
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.beating;
    await this.update;
  }

  /** Sends a heartbeat now (or right after the one in flight). */
  beatSoon(): void {
    if (this.abort.signal.aborted) return;
    if (this.beating) {
      this.again = true;
      return;
    }
    this.schedule(0);
  }

  private schedule(delayMs: number): void {
    if (this.abort.signal.aborted) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.tick(), delayMs);
  }

  private tick(): void {
    this.timer = null;
    this.beating = this.beatIfAllowed().finally(() => {
      this.beating = null;
      if (this.again) this.schedule(0);
      else this.schedule(this.nextDelayMs());
      this.again = false;
    });
  }

  private nextDelayMs(): number {
    const base = this.intervalMs;
    const jitter = this.options.jitter ?? 0.1;
    return Math.max(1, base * (1 + jitter * (Math.random() * 2 - 1)));
  }

  private async beatIfAllowed(): Promise<void> {
    const device = this.device;
    if (!device.online || device.linkAttached || !device.deviceId || !device.cloudUrl) return;
    try {
      await this.beat(device.cloudUrl);
      if (this.failedBeats > 0) {
        this.log.info(`ota: (${device.serial}) heartbeat back after ${this.failedBeats} failed`);
      }
      this.failedBeats = 0;
    } catch (error) {
      if (this.abort.signal.aborted) return;
      this.failedBeats += 1;
      // One warning per outage, not one per interval: a fleet would drown the log otherwise.
      const level = this.failedBeats === 1 ? 'warn' : 'debug';
      this.log[level](`ota: (${device.serial}) heartbeat failed: ${(error as Error).message}`);
    }
  }

  private async beat(cloudUrl: string): Promise<void> {
    const report = this.memory.report;
    const heartbeat = this.device.signHeartbeat(report ?? undefined);
    const response = await sendRequest(this.options.agents, {
      url: `${cloudUrl}${HEARTBEAT_PATH}`,
      method: 'POST',
      headers: heartbeatHeaders(heartbeat),
      body: heartbeat.body,
      idleTimeoutMs: this.options.requestTimeoutMs ?? 10_000,
      signal: this.abort.signal,
    });
    const text = await readText(response);
    if (response.statusCode !== 200) {
      throw new Error(`cloud answered HTTP ${response.statusCode}: ${text.slice(0, 200)}`);
    }

    const reply = JSON.parse(text) as HeartbeatReply;
    this.log.debug(`ota: (${this.device.serial}) heartbeat answered, manifest: ${!!reply.ota}`);
    if (report && this.memory.report === report) await this.acknowledgeReport();
    this.cloudIntervalMs = reply.heartbeat_interval_s * 1000;
    this.emit('reply', reply);
    if (reply.ota) this.consider(reply.ota);
  }

  private async acknowledgeReport(): Promise<void> {
    this.memory.report = null;
    await saveOtaMemory(this.device.stateDir, this.memory);
  }

  private consider(manifest: OtaManifest): void {
    // Shortcoming: a manifest for a different assignment that arrives while one downloads is
    // ignored until that one ends — better: abort the running one when the cloud replaced it.
    if (this.update || isFinished(this.memory, manifest.assignment_id)) return;
    if (this.device.recording) return;

    this.log.info(
      `ota: (${this.device.serial}) manifest ${manifest.version} for ${manifest.assignment_id}`,
    );
    this.update = this.runAndRecord(manifest).finally(() => {
      this.update = null;
    });
  }

  private async runAndRecord(manifest: OtaManifest): Promise<void> {
    this.setPhase('downloading');
    const onRebooting = () => this.setPhase('rebooting');
    this.device.once('rebooting', onRebooting);

    const outcome = await this.attempt(manifest).finally(() =>
      this.device.off('rebooting', onRebooting),
    );

    await this.record(manifest.assignment_id, outcome).catch((error: unknown) => {
      this.log.error({ err: error }, `ota: (${this.device.serial}) outcome not saved`);
    });
    this.emit('outcome', outcome, manifest.assignment_id);
    // A device heartbeats as soon as it knows the outcome, as a real one does on boot.
    if (outcome.kind !== 'deferred') this.beatSoon();
  }

  /** Runs the update; a bug or an I/O error becomes a failed outcome, never a crash. */
  private async attempt(manifest: OtaManifest): Promise<UpdateOutcome> {
    try {
      return await runUpdate(this.device, manifest, {
        ...this.options.download,
        agents: this.options.agents,
        faults: this.options.faults,
        signal: this.abort.signal,
        onRequest: (start) =>
          this.log.debug(`ota: (${this.device.serial}) GET image from byte ${start}`),
        onRetry: (tries, why) =>
          this.log.info(`ota: (${this.device.serial}) download try ${tries} lost: ${why}`),
      });
    } catch (error) {
      this.log.error({ err: error }, `ota: (${this.device.serial}) update crashed`);
      return { kind: 'failed', reason: `device error: ${(error as Error).message}` };
    }
  }

  private async record(assignmentId: string, outcome: UpdateOutcome): Promise<void> {
    const serial = this.device.serial;
    if (outcome.kind === 'deferred') {
      this.log.info(`ota: (${serial}) update deferred: ${outcome.why}`);
      this.setPhase('idle');
      return;
    }
    rememberOutcome(this.memory, assignmentId, outcome.kind);
    if (outcome.kind === 'failed') {
      this.memory.report = {
        assignment_id: assignmentId,
        status: 'failed',
        reason: outcome.reason,
      };
      this.log.info(`ota: (${serial}) update failed: ${outcome.reason}`);
    } else {
      this.log.info(`ota: (${serial}) update applied, running ${outcome.version}`);
    }
    await saveOtaMemory(this.device.stateDir, this.memory);
    this.setPhase(outcome.kind === 'failed' ? 'failed' : 'idle');
  }

  private setPhase(phase: OtaPhase): void {
    if (this.current === phase) return;
    this.current = phase;
    this.emit('phase', phase);
  }
}
