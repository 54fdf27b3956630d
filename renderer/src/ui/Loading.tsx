import type { ReactNode } from 'react';

import type { Result } from '../../../contract/station';
import { FailureBox } from './FailureBox';

/** Renders a query's value, a loading line, or its failure in words. */
export function Loaded<T>(props: {
  result: Result<T> | null;
  what: string;
  children: (value: T) => ReactNode;
}) {
  if (!props.result) return <p className="muted">Loading {props.what}…</p>;
  if (!props.result.ok) {
    return <FailureBox failure={props.result.error} title={`Could not load ${props.what}`} />;
  }
  return <>{props.children(props.result.value)}</>;
}
