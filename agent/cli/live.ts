import type { Fleet } from '../fleet/fleet';
import { renderSummary, summaryLine } from '../fleet/summary';
import type { AgentLogger } from '../log';

/** Something that shows the fleet until stopped. */
export interface LiveView {
  /** Stops redrawing (drawing one last time). */
  stop(): void;
}

/** Redraws a compact summary in place on a TTY, about twice a second. */
export function startTtyView(fleet: Fleet, heading: string, out: NodeJS.WriteStream): LiveView {
  let drawn = 0;
  const draw = () => {
    const lines = renderSummary(fleet.summary(), heading);
    // Move up over the last drawing and clear below it, so the view stays in place.
    const rewind = drawn > 0 ? `\x1b[${drawn}F\x1b[J` : '';
    out.write(`${rewind}${lines.join('\n')}\n`);
    drawn = lines.length;
  };
  draw();
  const timer = setInterval(draw, 500);
  return {
    stop: () => {
      clearInterval(timer);
      draw();
    },
  };
}

/** Logs the summary line every few seconds when it changed (for pipes and files). */
export function startLogView(fleet: Fleet, logger: AgentLogger, everyMs = 5000): LiveView {
  let last = '';
  const write = () => {
    const line = summaryLine(fleet.summary());
    if (line !== last) logger.info(line);
    last = line;
  };
  write();
  const timer = setInterval(write, everyMs);
  return {
    stop: () => {
      clearInterval(timer);
      write();
    },
  };
}
