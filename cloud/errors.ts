/** An expected failure of a cloud operation: a stable code, an HTTP status and advice. */
export class CloudError extends Error {
  constructor(
    /** HTTP status the API answers with. */
    readonly status: number,
    /** Stable SCREAMING_SNAKE code. */
    readonly code: string,
    message: string,
    /** Extra facts for the caller, e.g. `{ assignment_id }`. */
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'CloudError';
  }
}

/** 404 for a missing row of some kind. */
export function notFound(kind: string, id: string): CloudError {
  const code = `${kind.toUpperCase()}_NOT_FOUND`;
  return new CloudError(404, code, `no ${kind} with id or key "${id}"; check the value`);
}
