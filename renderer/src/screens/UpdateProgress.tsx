import type { UpdateJob, UpdatePhase } from '../../../contract/station';
import { FailureBox } from '../ui/FailureBox';
import { formatBytes, formatRate, percent } from '../ui/format';

/** The steps a person sees, in order, with the words for each. */
const STEPS: { phase: UpdatePhase; label: string }[] = [
  { phase: 'downloading', label: 'Downloading from the cloud' },
  { phase: 'transferring', label: 'Sending to the device' },
  { phase: 'verifying', label: 'Device checks the image' },
  { phase: 'rebooting', label: 'Device restarts' },
  { phase: 'done', label: 'Done' },
];

/** The current step's sentence, the headline of the progress view. */
function headline(job: UpdateJob): string {
  switch (job.phase) {
    case 'queued':
      return `Waiting to start ${job.version}…`;
    case 'downloading':
      return `Downloading ${job.version}: ${percent(job.bytesDone, job.bytesTotal)} %`;
    case 'transferring':
      return `Transferring ${job.version}: ${percent(job.bytesDone, job.bytesTotal)} %`;
    case 'verifying':
      return `Verifying ${job.version} on the device…`;
    case 'rebooting':
      return 'Rebooting into the new firmware…';
    case 'done':
      return `Done: the device runs ${job.version}`;
    case 'failed':
      return `Update to ${job.version} failed`;
  }
}

/** Live progress of one update job, or its outcome. */
export function UpdateProgress(props: {
  job: UpdateJob;
  onCancel?: () => void;
  onDismiss?: () => void;
}) {
  const { job } = props;
  const running = job.phase !== 'done' && job.phase !== 'failed';
  const measured = job.phase === 'downloading' || job.phase === 'transferring';

  return (
    <section className={`progress progress-${job.phase}`} aria-live="polite" data-phase={job.phase}>
      <p className="progress-headline">{headline(job)}</p>
      {measured && <ProgressBar job={job} />}
      {job.phase !== 'failed' && <Steps job={job} />}
      {job.failure && <FailureBox failure={job.failure} title="Why the update failed" />}
      <div className="actions">
        {running && props.onCancel && (
          <button type="button" className="button danger" onClick={props.onCancel}>
            Cancel update
          </button>
        )}
        {!running && props.onDismiss && (
          <button type="button" className="button quiet" onClick={props.onDismiss}>
            Close
          </button>
        )}
      </div>
    </section>
  );
}

function ProgressBar(props: { job: UpdateJob }) {
  const { job } = props;
  const value = percent(job.bytesDone, job.bytesTotal);
  return (
    <div className="bar-wrap">
      <div
        className="bar"
        role="progressbar"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={value}
        aria-label={`${job.phase} progress`}
      >
        <div className="bar-fill" style={{ width: `${value}%` }} />
      </div>
      <p className="bar-text">
        {formatBytes(job.bytesDone)} of {formatBytes(job.bytesTotal)} ·{' '}
        {formatRate(job.bytesPerSecond)}
      </p>
    </div>
  );
}

function Steps(props: { job: UpdateJob }) {
  const current = STEPS.findIndex((step) => step.phase === props.job.phase);
  return (
    <ol className="steps">
      {STEPS.map((step, index) => {
        const state =
          props.job.phase === 'done' || index < current
            ? 'past'
            : index === current
              ? 'current'
              : 'future';
        return (
          <li key={step.phase} className={`step step-${state}`}>
            {step.label}
          </li>
        );
      })}
    </ol>
  );
}
