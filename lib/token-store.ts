/**
 * node:crypto is loaded on first use, not when the bundle loads: loading it costs ~3.6 ms, more than the rest of the
 * bundle together (issue 15 keeps every bundle's cold load ≤ 5 ms; measured in bench/README.md). A run that stops
 * early (bad input, missing secret) never pays it; the others pay it once per container, in their first run.
 */
const crypto = () => process.getBuiltinModule('node:crypto');
import { ConfigError, PermanentError, RetryableError, type ActionError } from './errors';
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
 * - a unique property lets us read it by key (GET ?idProperty=) without search lag.
 * The record is created once, at setup (`npm run setup -- --apply`, scripts/lib-tooling/token-store-setup.ts, or by
 * hand), never by an action: from API version 2026-09 HubSpot enforces the portal's validation rules on API writes,
 * and a portal whose create-company form requires fields refuses a create that lacks them
 * (https://developers.hubspot.com/changelog/crm-api-write-validation-enforcement) — an action cannot know what to put
 * there, an admin at setup can. The action only reads the record and updates its two properties.
 * The value is AES-256-GCM encrypted with a key derived (HKDF-SHA256) from a secret, and bound to its purpose by the
 * additional authenticated data, so anyone who can read CRM records sees only ciphertext.
 *
 * Concurrency: HubSpot's CRM has no conditional update (no If-Match), so the version is optimistic bookkeeping:
 * a writer stores `version + 1` of what it read, and a reader that sees a higher version than it holds knows someone
 * else rotated. A write first reads the stored version and refuses to write one that is not higher (a warm container
 * must never put back an older pair: that rolls the connection back to a dead refresh token). The remaining window
 * between that read and the write is closed by the vendor: a rotated refresh token can be redeemed once, so only
 * one execution per generation ever has something new to write (see lib/quickbooks.ts).
 *
 * The version is bound to the ciphertext (format v2): it is inside the encrypted value and part of the additional
 * authenticated data, so an old ciphertext pasted back under a newer version number does not decrypt.
 */

export const STORE_GROUP: PropertyGroupDeclaration = { name: 'integration_store', label: 'Integration token store' };
export const STORE_KEY_PROPERTY = 'integration_store_key';
export const STORE_VALUE_PROPERTY = 'integration_store_value';
export const STORE_VERSION_PROPERTY = 'integration_store_version';

/** The company properties every token store needs; actions list them so the setup tooling creates them. */
export const TOKEN_STORE_PROPERTIES: readonly PropertyDeclaration[] = [
  textProperty('companies', STORE_GROUP.name, STORE_KEY_PROPERTY, 'Integration store key (unique)', 'Marks the record that holds an integration\'s encrypted connection state. Set by npm run setup (or by hand when setup cannot create the record); do not change it afterwards.', { hasUniqueValue: true }),
  textProperty('companies', STORE_GROUP.name, STORE_VALUE_PROPERTY, 'Integration store value (encrypted)', 'Encrypted connection state (AES-256-GCM). Clear it to force a reconnect from the secret.', { fieldType: 'textarea' }),
  { ...textProperty('companies', STORE_GROUP.name, STORE_VERSION_PROPERTY, 'Integration store version', 'Increases with every write; used to notice a rotation by another execution.'), type: 'number', fieldType: 'number' },
];

/**
 * The key must be random bytes, written as base64 (what `openssl rand -base64 32` prints) or hex, at least 32 bytes
 * (AES-256's key size). Every CRM user can read the ciphertext, and HKDF is fast, so a guessable key would let anyone
 * with a laptop decrypt the token pair offline; HKDF adds no strength to a weak key, it only shapes a strong one.
 * Randomness cannot be proven from one sample, so these are the checks a random key passes with near certainty and
 * typed text fails (issue 22 §3 found `password1234password1234password1234` and
 * `correcthorsebatterystaplecorrecthorse` accepted by a check of length and distinct characters only):
 * - the text is canonical base64/base64url (re-encoding the decoded bytes gives it back) or hex, of ≥ 32 bytes;
 * - base64 of random bytes mixes upper- and lower-case letters (all 43 characters of one case: p < 10⁻⁹) and shows
 *   many different characters (≥ 20 of 64 in 43: p < 10⁻⁶ of a false refusal); hex shows ≥ 12 of its 16 digits;
 * - no run of characters repeats (a repeated 5-character run in 44 random base64 characters: p ≈ 10⁻⁶; 8 in hex).
 * What passes and is still weak: text that merely looks random (a camel-cased sentence in base64's alphabet). A slow
 * KDF (scrypt) would blunt that, at tens of ms per cold start and a new derivation every existing store would have to
 * migrate to; a random key makes it unnecessary, so the key's form is what is required. Existing keys made as the
 * secret's description says (`openssl rand -base64 32`) pass unchanged and derive the same key.
 */
export const MIN_KEY_BYTES = 32;
const MIN_DISTINCT_BASE64_CHARS = 20;
const MIN_DISTINCT_HEX_DIGITS = 12;
/** v2: version inside the value and in the AAD. v1 (version outside) is still read below V2_FIRST_VERSION. */
const FORMAT = 'v2';
const LEGACY_FORMAT = 'v1';
/**
 * Every v2 write is at this version or higher, and a v1 value is read only at a lower version. A v1 value does not
 * bind its version, so without this, restoring an old v1 value from the property's history (a click in HubSpot)
 * would be read at any version and roll the connection back to a dead refresh token. The first v2 write jumps here
 * (migrating a v1 store, or a v2 store written before this rule); v1 stores never reached it (one write an hour is
 * 8,760 a year). What remains: someone with CRM write access who restores the version property too, to a v1-era
 * number, gets the old value read — a rollback to a dead token (a reconnect), which that access allows anyway by
 * clearing or deleting the record; the value stays unreadable to them.
 */
export const V2_FIRST_VERSION = 1_000_000;
/** GCM's full 128-bit tag; a shorter one would be accepted by Node unless we insist (a 4-byte tag is forgeable). */
const AUTH_TAG_BYTES = 16;

export interface StoredValue<T> {
  /** 0 when the slot is empty (a record just created by setup). */
  version: number;
  /** Undefined when the slot is empty, or could not be decrypted (key changed, value edited by hand). */
  value: T | undefined;
  /**
   * Why `value` is undefined although the slot holds something: it does not decrypt, or it is a v1 value at a version
   * only v2 values are written at (restored from the property's history).
   */
  unreadable?: 'decrypt-failed' | 'legacy-after-v2';
}

export interface TokenStore<T> {
  read(): Promise<StoredValue<T>>;
  /**
   * Writes `value` as version `basedOn + 1` (at least V2_FIRST_VERSION) and returns it; throws TokenStoreConflictError (and writes nothing) when
   * the store already holds that version or a newer one.
   */
  write(value: T, basedOn: number): Promise<number>;
}

export interface TokenStoreOptions {
  hubspot: HubSpotClient;
  /** The slot's unique key, e.g. "quickbooks". */
  key: string;
  /** The record's name (setup gives it this name; shown in the companies list), for error messages. */
  recordName: string;
  /** Secret key material (a custom-code secret). */
  secretKey: string;
  /** The name of that secret, for error messages. */
  secretName: string;
  /** Binds the ciphertext to its context (e.g. the QuickBooks company id): a value copied elsewhere fails to decrypt. */
  context: string;
  log: Logger;
}

/** Another execution wrote the store since `basedOn` was read: nothing was written. Retryable: a re-run reads it. */
export class TokenStoreConflictError extends RetryableError {
  constructor(
    readonly storedVersion: number,
    readonly attemptedVersion: number,
  ) {
    super(`The token store already holds version ${storedVersion}; not writing version ${attemptedVersion} over it`, { errorCode: 'TOKEN_STORE_CONFLICT', status: 503, service: 'hubspot' });
  }
}

/** The store's record does not exist: nothing an action can fix (it never creates it). */
export class TokenStoreMissingError extends ConfigError {
  constructor(key: string, recordName: string) {
    super(
      `The token store record does not exist in HubSpot: a company named "${recordName}" whose "Integration store key (unique)" is "${key}". ` +
        'Run `npm run setup -- --apply` once (it creates the record and prints its id), or create it by hand: Companies → Create company, ' +
        `Company name "${recordName}" (fill whatever else your create form requires), then set its "Integration store key (unique)" property to "${key}". ` +
        'The action never creates this record itself: a portal\'s required-field rules would refuse that create.',
      { errorCode: 'TOKEN_STORE_MISSING', service: 'hubspot' },
    );
  }
}

/** HubSpot refused to update the store record (a validation rule of the portal, or an invalid value). */
export class TokenStoreWriteRefusedError extends ConfigError {
  constructor(recordId: string, recordName: string, cause: ActionError) {
    super(
      `HubSpot refused to save the token store on company ${recordId} ("${recordName}"): ${cause.message}. ` +
        'The action writes only the properties "Integration store value (encrypted)" and "Integration store version" of that record: ' +
        'exempt the record from the rule, or give it the values the rule asks for (edit the company in HubSpot), then re-enroll.',
      { errorCode: 'TOKEN_STORE_WRITE_REFUSED', service: 'hubspot', ...(cause.httpStatus !== undefined ? { status: cause.httpStatus } : {}), cause },
    );
  }
}

const HOW_TO_MAKE_A_KEY = 'generate one with `openssl rand -base64 32` (or `node -e "console.log(require(\'crypto\').randomBytes(32).toString(\'base64\'))"`) and paste it whole';

/** Why `secretKey` is not random key material, or undefined when it passes (see MIN_KEY_BYTES). Never quotes the key. */
export function weakKeyReason(secretKey: string): string | undefined {
  const hex = /^[0-9a-fA-F]+$/.test(secretKey) && secretKey.length % 2 === 0;
  const base64 = /^[A-Za-z0-9+/]+={0,2}$/.test(secretKey) || /^[A-Za-z0-9_-]+={0,2}$/.test(secretKey);
  if (!hex && !base64) return 'it is not base64 or hex (random bytes are written in one of them)';
  const bytes = hex ? Buffer.from(secretKey, 'hex') : Buffer.from(secretKey, /[_-]/.test(secretKey) ? 'base64url' : 'base64');
  if (bytes.length < MIN_KEY_BYTES) return `it holds ${bytes.length} bytes; at least ${MIN_KEY_BYTES} random bytes are needed`;
  if (!hex) {
    const unpadded = secretKey.replace(/=+$/, '');
    const again = (/[_-]/.test(secretKey) ? bytes.toString('base64url') : bytes.toString('base64')).replace(/=+$/, '');
    if (again !== unpadded) return 'it is not the base64 of bytes (typed text, or a cut-off or edited key)';
    if (!/[A-Z]/.test(secretKey) || !/[a-z]/.test(secretKey)) return 'it lacks upper- or lower-case letters, which base64 of random bytes always mixes';
  }
  const distinct = new Set(hex ? secretKey.toLowerCase() : secretKey).size;
  if (distinct < (hex ? MIN_DISTINCT_HEX_DIGITS : MIN_DISTINCT_BASE64_CHARS)) return `it uses only ${distinct} different characters`;
  const run = hex ? 8 : 5;
  for (let i = 0; i + run <= secretKey.length; i += 1) {
    if (secretKey.indexOf(secretKey.slice(i, i + run), i + 1) >= 0) return 'a run of its characters repeats (a word or pattern, not random bytes)';
  }
  return undefined;
}

export function deriveKey(secretKey: string, secretName = 'the token key secret'): Buffer {
  const weak = weakKeyReason(secretKey);
  if (weak) throw new ConfigError(`${secretName} is not a random key: ${weak}; ${HOW_TO_MAKE_A_KEY}`, { errorCode: 'WEAK_TOKEN_KEY' });
  // The HKDF info stays "v1" for both formats: the key itself did not change, only what the ciphertext binds.
  return Buffer.from(crypto().hkdfSync('sha256', secretKey, 'hubspot-custom-code-token-store', LEGACY_FORMAT, 32));
}

const b64 = (b: Buffer) => b.toString('base64url');

/** AES-256-GCM with a random 96-bit IV and a full 16-byte tag; `context` is the additional authenticated data. */
export function encrypt(key: Buffer, context: string, plaintext: string, format: string = FORMAT): string {
  const iv = crypto().randomBytes(12);
  const cipher = crypto().createCipheriv('aes-256-gcm', key, iv, { authTagLength: AUTH_TAG_BYTES });
  cipher.setAAD(Buffer.from(context));
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return [format, b64(iv), b64(cipher.getAuthTag()), b64(body)].join('.');
}

/** Undefined when the text was not made with this key and context, was tampered with, or carries a short tag. */
export function decrypt(key: Buffer, context: string, text: string, format: string = FORMAT): string | undefined {
  const [prefix, iv, tag, body] = text.split('.');
  if (prefix !== format || !iv || !tag || body === undefined) return undefined;
  const tagBytes = Buffer.from(tag, 'base64url');
  // Node accepts a truncated tag unless authTagLength is set; we check the length ourselves as well.
  if (tagBytes.length !== AUTH_TAG_BYTES) return undefined;
  try {
    const decipher = crypto().createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'), { authTagLength: AUTH_TAG_BYTES });
    decipher.setAAD(Buffer.from(context));
    decipher.setAuthTag(tagBytes);
    return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
  } catch {
    return undefined;
  }
}

/** The additional authenticated data of a v2 value: its slot and context, and the version it was written as. */
const versionedContext = (context: string, version: number) => `${context}#version=${version}`;

/** A v1 value at a version only v2 values are written at: restored from the property's history, never read. */
export const isLegacyAfterV2 = (text: string, version: number) => text.startsWith(`${LEGACY_FORMAT}.`) && version >= V2_FIRST_VERSION;

/**
 * A stored text as its plaintext value, or undefined. v2: the version property must match the one inside, and both
 * are authenticated. v1 (before versions were bound): read only below V2_FIRST_VERSION, so existing connections
 * survive the upgrade; the next write replaces it with v2 at V2_FIRST_VERSION or higher.
 */
export function openStoredValue(key: Buffer, context: string, text: string, version: number): string | undefined {
  if (text.startsWith(`${LEGACY_FORMAT}.`)) return isLegacyAfterV2(text, version) ? undefined : decrypt(key, context, text, LEGACY_FORMAT);
  const plaintext = decrypt(key, versionedContext(context, version), text);
  if (plaintext === undefined) return undefined;
  try {
    const sealed = JSON.parse(plaintext) as { version?: unknown; value?: unknown };
    return sealed.version === version && sealed.value !== undefined ? JSON.stringify(sealed.value) : undefined;
  } catch {
    return undefined;
  }
}

export function sealStoredValue(key: Buffer, context: string, value: unknown, version: number): string {
  return encrypt(key, versionedContext(context, version), JSON.stringify({ version, value }));
}

/** A short, one-way tag of a secret value, to notice that a secret was changed without storing it. */
export function fingerprint(value: string): string {
  return crypto().createHash('sha256').update(value).digest('hex').slice(0, 16);
}

export function createTokenStore<T>(options: TokenStoreOptions): TokenStore<T> {
  const { hubspot, key, log } = options;
  const cryptoKey = deriveKey(options.secretKey, options.secretName);
  const context = `${key}:${options.context}`;

  const readRecord = async (properties: string[]) => {
    const record = await hubspot.getObject('companies', key, { idProperty: STORE_KEY_PROPERTY, properties, accept404: true });
    if (!record) throw new TokenStoreMissingError(key, options.recordName);
    return record;
  };

  return {
    async read() {
      const record = await readRecord([STORE_VALUE_PROPERTY, STORE_VERSION_PROPERTY]);
      const version = Number(record.properties[STORE_VERSION_PROPERTY] ?? 0) || 0;
      const text = record.properties[STORE_VALUE_PROPERTY] ?? '';
      if (text.trim() === '') return { version, value: undefined };
      if (isLegacyAfterV2(text.trim(), version)) {
        log.warn('token-store.unreadable', { key, version, hint: 'an old-format value at a version only the new format is written at: restored from the property history? Not used; starting again from the bootstrap secret' });
        return { version, value: undefined, unreadable: 'legacy-after-v2' };
      }
      const plaintext = openStoredValue(cryptoKey, context, text.trim(), version);
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
      // v2 values live at V2_FIRST_VERSION and above: the first write after v1 (or after this rule) jumps there.
      const version = Math.max(basedOn + 1, V2_FIRST_VERSION);
      // Never write a version that is not higher than the stored one: that would roll the connection back.
      const current = await readRecord([STORE_VERSION_PROPERTY]);
      const storedVersion = Number(current.properties[STORE_VERSION_PROPERTY] ?? 0) || 0;
      if (storedVersion >= version) {
        log.warn('token-store.conflict', { key, stored: storedVersion, attempted: version });
        throw new TokenStoreConflictError(storedVersion, version);
      }
      // An update of the record setup created (by its id): never a create, so create-form rules cannot refuse it.
      try {
        await hubspot.updateObject('companies', current.id, {
          [STORE_VALUE_PROPERTY]: sealStoredValue(cryptoKey, context, value, version),
          [STORE_VERSION_PROPERTY]: String(version),
        });
      } catch (error) {
        if (error instanceof PermanentError && error.httpStatus === 400) throw new TokenStoreWriteRefusedError(current.id, options.recordName, error);
        throw error;
      }
      log.info('token-store.written', { key, version });
      return version;
    },
  };
}
