/**
 * node:crypto is loaded on first use, not when the bundle loads: loading it costs ~3.6 ms, more than the rest of the
 * bundle together (issue 15 keeps every bundle's cold load ≤ 5 ms; measured in bench/README.md). A run that stops
 * early (bad input, missing secret) never pays it; the others pay it once per container, in their first run.
 */
const crypto = () => process.getBuiltinModule('node:crypto');
import { ConfigError, PermanentError } from './errors';
import type { HubSpotClient } from './hubspot';
import type { Logger } from './logger';
import { textProperty, type PropertyDeclaration, type PropertyGroupDeclaration } from './properties';

/**
 * A small, encrypted, writable key-value slot inside the customer's own HubSpot account, for credentials that
 * rotate (OAuth refresh tokens) and therefore cannot live in a custom-code secret: secrets are read-only env vars
 * (https://developers.hubspot.com/docs/api/workflows/custom-code-actions, "Secrets").
 *
 * Where: one company record per store key ("QuickBooks connection (do not delete)"), found by the unique property
 * `integration_store_key`, holding the ciphertext in a text property and a version counter. Why a company:
 * - it exists on every HubSpot tier, a Data Hub Professional portal without other paid hubs included — HubDB needs
 *   Content Hub, custom objects need an Enterprise hub, and there is no writable portal-level settings API for a
 *   private app;
 * - a company is not a marketing contact (a contact record would count towards the contact tier);
 * - a unique property lets us read it by key (GET ?idProperty=) and create it by batch upsert, so neither search lag
 *   nor two concurrent first runs can make two slots.
 * The value is AES-256-GCM encrypted with a key derived (HKDF-SHA256) from a secret, and bound to its purpose by the
 * additional authenticated data, so anyone who can read CRM records sees only ciphertext.
 *
 * Concurrency: HubSpot's CRM has no conditional update (no If-Match), so the version is optimistic bookkeeping:
 * a writer stores `version + 1` of what it read, and a reader that sees a higher version than it holds knows someone
 * else rotated. What actually serializes writers is the vendor: a rotated refresh token can be redeemed once, so only
 * one execution per generation ever has something new to write (see lib/quickbooks.ts).
 */

export const STORE_GROUP: PropertyGroupDeclaration = { name: 'integration_store', label: 'Integration token store' };
export const STORE_KEY_PROPERTY = 'integration_store_key';
export const STORE_VALUE_PROPERTY = 'integration_store_value';
export const STORE_VERSION_PROPERTY = 'integration_store_version';

/** The company properties every token store needs; actions list them so the setup tooling creates them. */
export const TOKEN_STORE_PROPERTIES: readonly PropertyDeclaration[] = [
  textProperty('companies', STORE_GROUP.name, STORE_KEY_PROPERTY, 'Integration store key (unique)', 'Marks the record that holds an integration\'s encrypted connection state. Do not edit.', { hasUniqueValue: true }),
  textProperty('companies', STORE_GROUP.name, STORE_VALUE_PROPERTY, 'Integration store value (encrypted)', 'Encrypted connection state (AES-256-GCM). Clear it to force a reconnect from the secret.', { fieldType: 'textarea' }),
  { ...textProperty('companies', STORE_GROUP.name, STORE_VERSION_PROPERTY, 'Integration store version', 'Increases with every write; used to notice a rotation by another execution.'), type: 'number', fieldType: 'number' },
];

/** The smallest key material we accept: 32 characters (e.g. `openssl rand -base64 32` gives 44). */
export const MIN_KEY_LENGTH = 32;
const FORMAT = 'v1';

export interface StoredValue<T> {
  /** 0 when the slot does not exist or is empty. */
  version: number;
  /** Undefined when the slot is empty, or could not be decrypted (key changed, value edited by hand). */
  value: T | undefined;
  /** Why `value` is undefined although the slot holds something. */
  unreadable?: 'decrypt-failed';
}

export interface TokenStore<T> {
  read(): Promise<StoredValue<T>>;
  /** Writes `value` as version `basedOn + 1`. Returns the new version. */
  write(value: T, basedOn: number): Promise<number>;
}

export interface TokenStoreOptions {
  hubspot: HubSpotClient;
  /** The slot's unique key, e.g. "quickbooks". */
  key: string;
  /** The record's name, shown to users in the companies list. */
  recordName: string;
  /** Secret key material (a custom-code secret). */
  secretKey: string;
  /** The name of that secret, for error messages. */
  secretName: string;
  /** Binds the ciphertext to its context (e.g. the QuickBooks company id): a value copied elsewhere fails to decrypt. */
  context: string;
  log: Logger;
}

export function deriveKey(secretKey: string, secretName = 'the token key secret'): Buffer {
  if (secretKey.length < MIN_KEY_LENGTH) {
    throw new ConfigError(`${secretName} must be at least ${MIN_KEY_LENGTH} random characters (for example the output of \`openssl rand -base64 32\`)`, { errorCode: 'WEAK_TOKEN_KEY' });
  }
  return Buffer.from(crypto().hkdfSync('sha256', secretKey, 'hubspot-custom-code-token-store', FORMAT, 32));
}

const b64 = (b: Buffer) => b.toString('base64url');

export function encrypt(key: Buffer, context: string, plaintext: string): string {
  const iv = crypto().randomBytes(12);
  const cipher = crypto().createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(context));
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return [FORMAT, b64(iv), b64(cipher.getAuthTag()), b64(body)].join('.');
}

/** Undefined when the text was not made with this key and context (or was tampered with). */
export function decrypt(key: Buffer, context: string, text: string): string | undefined {
  const [format, iv, tag, body] = text.split('.');
  if (format !== FORMAT || !iv || !tag || body === undefined) return undefined;
  try {
    const decipher = crypto().createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(context));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
  } catch {
    return undefined;
  }
}

/** A short, one-way tag of a secret value, to notice that a secret was changed without storing it. */
export function fingerprint(value: string): string {
  return crypto().createHash('sha256').update(value).digest('hex').slice(0, 16);
}

export function createTokenStore<T>(options: TokenStoreOptions): TokenStore<T> {
  const { hubspot, key, log } = options;
  const cryptoKey = deriveKey(options.secretKey, options.secretName);
  const context = `${key}:${options.context}`;

  return {
    async read() {
      const record = await hubspot.getObject('companies', key, {
        idProperty: STORE_KEY_PROPERTY,
        properties: [STORE_VALUE_PROPERTY, STORE_VERSION_PROPERTY],
        accept404: true,
      });
      if (!record) return { version: 0, value: undefined };
      const version = Number(record.properties[STORE_VERSION_PROPERTY] ?? 0) || 0;
      const text = record.properties[STORE_VALUE_PROPERTY] ?? '';
      if (text.trim() === '') return { version, value: undefined };
      const plaintext = decrypt(cryptoKey, context, text.trim());
      if (plaintext === undefined) {
        log.warn('token-store.unreadable', { key, version, hint: `${options.secretName} changed or the value was edited; starting again from the bootstrap secret` });
        return { version, value: undefined, unreadable: 'decrypt-failed' };
      }
      try {
        return { version, value: JSON.parse(plaintext) as T };
      } catch {
        return { version, value: undefined, unreadable: 'decrypt-failed' };
      }
    },

    async write(value, basedOn) {
      const version = basedOn + 1;
      const [record] = await hubspot.upsertObjects('companies', STORE_KEY_PROPERTY, [
        {
          id: key,
          properties: {
            name: options.recordName,
            [STORE_VALUE_PROPERTY]: encrypt(cryptoKey, context, JSON.stringify(value)),
            [STORE_VERSION_PROPERTY]: String(version),
          },
        },
      ]);
      if (!record) throw new PermanentError('HubSpot returned no record from the token store upsert', { errorCode: 'HUBSPOT_EMPTY_RESPONSE', service: 'hubspot' });
      log.info('token-store.written', { key, version });
      return version;
    },
  };
}
