import type { Failure } from '../../../contract/station';

/** A failure in words: what happened, and what to try next. */
export function FailureBox(props: { failure: Failure; title?: string; onDismiss?: () => void }) {
  const { failure } = props;
  return (
    <div className="failure" role="alert" data-code={failure.code}>
      <p className="failure-title">{props.title ?? 'That did not work'}</p>
      <p className="failure-message">{failure.message}</p>
      <p className="failure-hint">
        <strong>What to try: </strong>
        {failure.hint}
      </p>
      <p className="failure-code">Code {failure.code}</p>
      {props.onDismiss && (
        <button type="button" className="button quiet" onClick={props.onDismiss}>
          Dismiss
        </button>
      )}
    </div>
  );
}
