import { readdir, stat } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';

/**
 * Expands a path pattern with `*` and `?` in any segment (`/tmp/bota/*-station`,
 * `/dev/ttyACM?`) to the paths that exist now. A pattern without wildcards yields itself
 * when it exists. Symlinks are kept as named (socat's pty links are symlinks).
 */
export async function expandPattern(pattern: string): Promise<string[]> {
  if (!isAbsolute(pattern)) return [];
  const segments = pattern.split('/').filter((segment) => segment.length > 0);
  let candidates = ['/'];
  for (const segment of segments) {
    candidates = (await Promise.all(candidates.map((base) => children(base, segment)))).flat();
    if (candidates.length === 0) return [];
  }
  return candidates.sort();
}

async function children(base: string, segment: string): Promise<string[]> {
  if (!/[*?]/.test(segment)) {
    const path = join(base, segment);
    return (await exists(path)) ? [path] : [];
  }
  const matcher = segmentPattern(segment);
  const names = await readdir(base).catch(() => [] as string[]);
  return names.filter((name) => matcher.test(name)).map((name) => join(base, name));
}

function segmentPattern(segment: string): RegExp {
  const source = segment
    .split('')
    .map((char) => (char === '*' ? '[^/]*' : char === '?' ? '[^/]' : escape(char)))
    .join('');
  return new RegExp(`^${source}$`);
}

function escape(char: string): string {
  return /[\\^$.|+()[\]{}]/.test(char) ? `\\${char}` : char;
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}
