/** One bar: its label, count, and colour class. */
export interface Bar {
  /** What the bar counts, in words. */
  label: string;
  /** The count. */
  value: number;
  /** CSS class for its colour (`bar-good`, `bar-bad`...). */
  tone?: string;
}

const ROW = 40;
const LABEL_WIDTH = 260;
const BAR_WIDTH = 420;

/** A horizontal bar chart in hand-made SVG, with each count also written as text. */
export function BarChart(props: { title: string; bars: Bar[] }) {
  const max = Math.max(1, ...props.bars.map((bar) => bar.value));
  const height = props.bars.length * ROW + 8;

  return (
    <figure className="chart">
      <figcaption>{props.title}</figcaption>
      <svg
        role="img"
        aria-label={`${props.title}: ${props.bars.map((b) => `${b.label} ${b.value}`).join(', ')}`}
        viewBox={`0 0 ${LABEL_WIDTH + BAR_WIDTH + 60} ${height}`}
        width="100%"
      >
        {props.bars.map((bar, index) => {
          const y = index * ROW + 4;
          const width = Math.max(2, (bar.value / max) * BAR_WIDTH);
          return (
            <g key={bar.label}>
              <text x={LABEL_WIDTH - 10} y={y + 24} textAnchor="end" className="chart-label">
                {bar.label}
              </text>
              <rect
                x={LABEL_WIDTH}
                y={y + 4}
                width={width}
                height={ROW - 12}
                rx={4}
                className={`chart-bar ${bar.tone ?? ''}`}
              />
              <text x={LABEL_WIDTH + width + 10} y={y + 24} className="chart-value">
                {bar.value}
              </text>
            </g>
          );
        })}
      </svg>
    </figure>
  );
}
