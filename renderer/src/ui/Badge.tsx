/** How a badge is coloured; the text always says the same thing in words. */
export type Tone = 'good' | 'busy' | 'warn' | 'bad' | 'neutral';

/** A status word on a coloured pill. */
export function Badge(props: { tone: Tone; children: string }) {
  return <span className={`badge badge-${props.tone}`}>{props.children}</span>;
}
