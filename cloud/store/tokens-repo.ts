import type { ApiToken, Role } from '../../protocol/cloud-api';
import type { Row, Store } from './database';

/** The api_tokens table; only SHA-256 hashes of tokens are stored. */
export class TokensRepo {
  constructor(private readonly store: Store) {}

  /** Stores a token by its hash. */
  insert(token: { id: string; name: string; role: Role; hash: string }): ApiToken {
    const createdAt = new Date().toISOString();
    this.store.run(
      'INSERT INTO api_tokens (id, name, role, token_hash, created_at) VALUES (?, ?, ?, ?, ?)',
      [token.id, token.name, token.role, token.hash, createdAt],
    );
    return { id: token.id, name: token.name, role: token.role, created_at: createdAt };
  }

  /** The token with this hash, or null. */
  byHash(hash: string): ApiToken | null {
    const row = this.store.get('SELECT * FROM api_tokens WHERE token_hash = ?', [hash]);
    return row ? toToken(row) : null;
  }

  /** Every token, oldest first. */
  list(): ApiToken[] {
    return this.store.all('SELECT * FROM api_tokens ORDER BY id').map(toToken);
  }

  /** How many admin tokens exist. */
  countAdmins(): number {
    return Number(this.store.get(`SELECT COUNT(*) AS n FROM api_tokens WHERE role = 'admin'`)?.n);
  }

  /** Deletes a token; false when there was none. */
  delete(id: string): boolean {
    return this.store.run('DELETE FROM api_tokens WHERE id = ?', [id]) > 0;
  }
}

function toToken(row: Row): ApiToken {
  return {
    id: String(row.id),
    name: String(row.name),
    role: String(row.role) as Role,
    created_at: String(row.created_at),
  };
}
