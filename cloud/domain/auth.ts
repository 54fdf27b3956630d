import type { ApiToken, CreatedToken, Role } from '../../protocol/cloud-api';
import { CloudError, notFound } from '../errors';
import { uuidv7 } from '../ids';
import type { CloudContext } from './context';
import { hashToken, randomSecret } from './keys';

const ROLE_RANK: Record<Role, number> = { viewer: 1, operator: 2, admin: 3 };

/** True when a token of role `held` may do what `needed` may. */
export function roleAllows(held: Role, needed: Role): boolean {
  return ROLE_RANK[held] >= ROLE_RANK[needed];
}

/** Bearer tokens: checking them, and making and revoking them. */
export class AuthService {
  // Token hash → token; tokens are looked up on every request and change rarely.
  private readonly cache = new Map<string, ApiToken>();

  constructor(private readonly context: CloudContext) {}

  /** The token an `Authorization: Bearer` header names; 401 UNAUTHENTICATED otherwise. */
  authenticate(header: string | undefined): ApiToken {
    const token = /^Bearer\s+(\S+)$/i.exec(header ?? '')?.[1];
    if (!token) {
      throw new CloudError(
        401,
        'UNAUTHENTICATED',
        'send an API token as "Authorization: Bearer <token>"',
      );
    }

    const hash = hashToken(token);
    const found = this.cache.get(hash) ?? this.context.repos.tokens.byHash(hash);
    if (!found) {
      throw new CloudError(
        401,
        'UNAUTHENTICATED',
        'the API token is unknown or revoked; ask an admin for one',
      );
    }
    this.cache.set(hash, found);
    return found;
  }

  /** 403 FORBIDDEN naming the role needed, unless `token` holds it. */
  authorize(token: ApiToken, needed: Role): void {
    if (roleAllows(token.role, needed)) return;
    throw new CloudError(
      403,
      'FORBIDDEN',
      `this needs the ${needed} role; token "${token.name}" is ${token.role}`,
      { needed, held: token.role },
    );
  }

  /** Makes a token; its value is returned this once and only its hash is kept. */
  create(actor: string, name: string, role: Role): CreatedToken {
    const token = randomSecret('bota_');
    const stored = this.context.repos.store.transaction(() => {
      const row = this.context.repos.tokens.insert({
        id: uuidv7(),
        name,
        role,
        hash: hashToken(token),
      });
      this.context.repos.audit.add(actor, 'token.create', row.id, { name, role });
      return row;
    });
    this.context.log.info(`auth: (${stored.id}) token "${name}" created as ${role}`);
    return { ...stored, token };
  }

  /** Every token, never its value. */
  list(): ApiToken[] {
    return this.context.repos.tokens.list();
  }

  /** Revokes a token at once. */
  delete(actor: string, id: string): void {
    const deleted = this.context.repos.store.transaction(() => {
      const gone = this.context.repos.tokens.delete(id);
      if (gone) this.context.repos.audit.add(actor, 'token.delete', id);
      return gone;
    });
    if (!deleted) throw notFound('token', id);

    this.cache.clear();
    this.context.log.info(`auth: (${id}) token revoked`);
  }

  /**
   * Makes sure an admin can log in: stores `token` when given and unknown; when none is
   * given and no admin exists, makes one and returns its value (to print once).
   */
  ensureAdmin(token?: string): string | null {
    const { tokens } = this.context.repos;
    if (token !== undefined) {
      if (!tokens.byHash(hashToken(token))) {
        tokens.insert({
          id: uuidv7(),
          name: 'bootstrap admin',
          role: 'admin',
          hash: hashToken(token),
        });
      }
      return null;
    }
    if (tokens.countAdmins() > 0) return null;
    return this.create('bootstrap', 'first admin', 'admin').token;
  }
}
