import { pino } from 'pino';

/** The structured logger every agent part writes to. */
export type AgentLogger = pino.Logger;

/** A logger that drops everything: the default for devices made in tests and libraries. */
export const silentLogger: AgentLogger = pino({ level: 'silent' });

/** A logger writing JSON lines to stderr, so stdout stays free for the live summary. */
export function stderrLogger(level = 'info'): AgentLogger {
  return pino({ level, base: { pid: process.pid } }, pino.destination(2));
}
