import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

import { pino } from 'pino';

import { type AgentCommand, parseCommand, USAGE, UsageError } from './cli/args';
import { type LiveView, startLogView, startTtyView } from './cli/live';
import { Fleet } from './fleet/fleet';
import { type AgentLogger, stderrLogger } from './log';

/**
 * `npm run agent`: runs a fleet of virtual Bota devices against a cloud until Ctrl-C.
 * On a terminal it redraws a live summary and logs to `<data-dir>/agent.log`; otherwise it
 * writes structured pino lines to stderr.
 */
async function main(argv: string[]): Promise<number> {
  const command = await parseOrExplain(argv);
  if (typeof command === 'number') return command;

  const tty = process.stdout.isTTY === true;
  const logger = tty ? fileLogger(command) : stderrLogger(command.logLevel);
  const fleet = await Fleet.start({ ...command.fleet, logger });
  logger.info(`fleet: ${fleet.members.length} devices started in ${command.fleet.dataDir}`);

  const { model, cloudUrl } = command.fleet;
  const heading = `bota agent — ${fleet.members.length} × ${model} → ${cloudUrl}`;
  const view: LiveView = tty
    ? startTtyView(fleet, heading, process.stdout)
    : startLogView(fleet, logger);

  await untilSignal();
  view.stop();
  await fleet.stop();
  logger.info('fleet: stopped, state flushed');
  logger.flush();
  return 0;
}

async function parseOrExplain(argv: string[]): Promise<AgentCommand | number> {
  try {
    const command = await parseCommand(argv);
    if (command !== 'help') return command;
    process.stdout.write(`${USAGE}\n`);
    return 0;
  } catch (error) {
    if (
      !(error instanceof UsageError) &&
      (error as { code?: string }).code !== 'FAULT_SCENARIO_INVALID'
    ) {
      throw error;
    }
    process.stderr.write(`${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }
}

function fileLogger(command: AgentCommand): AgentLogger {
  mkdirSync(command.fleet.dataDir, { recursive: true });
  const destination = pino.destination({
    dest: join(command.fleet.dataDir, 'agent.log'),
    sync: false,
  });
  return pino({ level: command.logLevel }, destination);
}

function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve(signal);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    // Expected failures (cloud unreachable, registration refused) carry a code: say it plainly.
    const code = (error as { code?: unknown }).code;
    const text = typeof code === 'string' ? `${code}: ${(error as Error).message}` : undefined;
    process.stderr.write(`agent: ${text ?? (error as Error).stack ?? String(error)}\n`);
    process.exitCode = 1;
  },
);
