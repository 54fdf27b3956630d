import type { ReactNode } from 'react';

/** What a screen shows when it has nothing to list: what that means and what to do. */
export function Empty(props: { title: string; children: ReactNode }) {
  return (
    <div className="empty">
      <p className="empty-title">{props.title}</p>
      <div className="empty-body">{props.children}</div>
    </div>
  );
}
