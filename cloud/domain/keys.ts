import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The cloud's own secrets, all derived from one random master key kept in `cloud.key` beside
 * the database (mode 0600). Kept out of the database so a copied cloud.db alone reveals no
 * device secret.
 */
export interface CloudKeys {
  /** Encrypts and decrypts device secrets at rest. */
  secretBox: SecretBox;
  /** Signs local blob download URLs. */
  blobSecret: string;
}

// Shortcoming: the master key sits on the same disk as the database — better: an OS
// keychain or a KMS, so a copy of the whole data dir still reveals no device secret.
/** Loads the master key from `dataDir/cloud.key`, creating it on first start. */
export function loadKeys(dataDir: string): CloudKeys {
  const path = join(dataDir, 'cloud.key');
  if (!existsSync(path)) {
    writeFileSync(path, randomBytes(32).toString('hex'), { mode: 0o600, flag: 'wx' });
  }
  const master = Buffer.from(readFileSync(path, 'utf8').trim(), 'hex');

  return {
    secretBox: new SecretBox(derive(master, 'bota device secrets')),
    blobSecret: derive(master, 'bota blob urls').toString('hex'),
  };
}

/**
 * AES-256-GCM for device secrets. They cannot be hashed like API tokens: verifying a
 * heartbeat's HMAC needs the secret itself, so it is stored encrypted and decrypted on use.
 */
export class SecretBox {
  constructor(private readonly key: Buffer) {}

  /** `iv.tag.ciphertext`, base64url parts. */
  seal(plain: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const sealed = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return [iv, cipher.getAuthTag(), sealed].map((part) => part.toString('base64url')).join('.');
  }

  /** The plain text of a sealed value; throws when it was altered or sealed with another key. */
  open(box: string): string {
    const [iv, tag, sealed] = box.split('.').map((part) => Buffer.from(part, 'base64url'));
    if (!iv || !tag || !sealed) throw new Error('sealed secret is malformed');
    const decipher = createDecipheriv('aes-256-gcm', this.key, iv);
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(sealed), decipher.final()]).toString('utf8');
  }
}

/** A new high-entropy secret (256 bits), as text safe in headers and JSON. */
export function randomSecret(prefix = ''): string {
  return `${prefix}${randomBytes(32).toString('base64url')}`;
}

/**
 * SHA-256 of an API token. A plain fast hash is enough here (no salt, no slow KDF): tokens
 * are 256 random bits, so there is nothing to guess, and a fast hash keeps every request's
 * lookup a single indexed read.
 */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

function derive(master: Buffer, purpose: string): Buffer {
  return Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), purpose, 32));
}
