import { useEffect, useRef } from 'react';

import { useStation } from '../api/context';
import { formatTime } from '../ui/format';

/** The station's recent log, live, newest at the bottom. */
export function LogPanel() {
  const { log } = useStation();
  const end = useRef<HTMLLIElement>(null);

  useEffect(() => {
    end.current?.scrollIntoView({ block: 'nearest' });
  }, [log.length]);

  return (
    <section className="card" aria-labelledby="log-title">
      <h2 id="log-title">Station log</h2>
      {log.length === 0 ? (
        <p className="muted">Nothing logged yet.</p>
      ) : (
        <ol className="log" tabIndex={0} aria-label="Recent log lines">
          {log.map((line, index) => (
            <li key={`${line.at}-${index}`} className={`log-${line.level}`}>
              <span className="log-time">{formatTime(line.at)}</span>
              <span className="log-level">{line.level}</span>
              <span className="log-text">
                {line.scope}: {line.message}
              </span>
            </li>
          ))}
          <li ref={end} aria-hidden="true" />
        </ol>
      )}
    </section>
  );
}
