/**
 * Key files: versioned JSON holding the 32-byte master secret and everything the embedder
 * and the detector must agree on. Written atomically (temp file, fsync, rename or link) with
 * mode 0600; refused on load when corrupt, truncated, of another version, edited (the
 * commitment no longer matches) or readable by group or others. Errors never carry the
 * secret, not even through a JSON parser's excerpt of the file.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, constants, fstatSync, openSync } from 'node:fs';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import { keyIdOf } from './commitment.js';
import { equalStrings } from './constant-time.js';
import { DEFAULT_ENCODING, type EncodingName, isEncodingName } from './encodings.js';
import { KeyFileError, LineageInputError } from './errors.js';
import { isRecord } from './is-record.js';
import { type Campaign, type KeyEpoch, LineageKey } from './lineage-key.js';
import { readOpenFile, writePrivateFileAtomically } from './private-file.js';
import { resolveSchemeParameters, type SchemeParameters } from './scheme-parameters.js';

export const KEY_FILE_FORMAT = 'lineage-key';
export const KEY_FILE_VERSION = 1;
const MAX_KEY_FILE_BYTES = 1 << 20;
const HEX_SECRET = /^[0-9a-f]{64}$/;
/** Account and campaign ids: 1-128 characters of letters, digits and . _ : @ - */
export const ID_PATTERN = /^[A-Za-z0-9._:@-]{1,128}$/;

export interface GenerateKeyOptions {
  /** Tokenizer encoding the token-level schemes use (default o200k_base). */
  readonly tokenizer?: EncodingName;
  /** Scheme parameters; missing ones take the defaults. */
  readonly schemes?: unknown;
  /** Creation time (default now). */
  readonly now?: Date;
}

export interface CreateKeyFileOptions extends GenerateKeyOptions {
  readonly path: string;
  /** Replace an existing file (default false: refuse). */
  readonly force?: boolean;
}

/** A fresh key in memory, its secret from the operating system's CSPRNG. */
export function generateKey(options: GenerateKeyOptions = {}): LineageKey {
  return keyFromSecret(randomBytes(32), options);
}

/** A key from given secret bytes: for test vectors and reproducible simulations only. */
export function keyFromSecret(secret: Uint8Array, options: GenerateKeyOptions = {}): LineageKey {
  const createdAt = (options.now ?? new Date()).toISOString();
  const tokenizer = options.tokenizer ?? DEFAULT_ENCODING;
  if (!isEncodingName(tokenizer))
    throw new LineageInputError(`unknown tokenizer ${JSON.stringify(tokenizer)}; use o200k_base or cl100k_base`);
  return new LineageKey(secret, {
    createdAt,
    tokenizer,
    activeEpoch: 0,
    epochs: [{ epoch: 0, createdAt }],
    schemes: resolveSchemeParameters(options.schemes),
    campaigns: [],
  });
}

/** Creates a key and writes it to `path` (refusing to overwrite unless `force`). */
export function createKeyFile(options: CreateKeyFileOptions): LineageKey {
  const key = generateKey(options);
  saveKeyFile(key, options.path, { force: options.force ?? false });
  return key;
}

function _publicBody(key: LineageKey) {
  return {
    format: KEY_FILE_FORMAT,
    version: KEY_FILE_VERSION,
    keyId: key.keyId,
    commitment: key.commitment,
    createdAt: key.createdAt,
    tokenizer: key.tokenizer,
    activeEpoch: key.activeEpoch,
    epochs: key.epochs,
    schemes: key.schemes,
    campaigns: key.campaigns,
  };
}

// An HMAC over the canonical public fields: any edit of a parameter, epoch or campaign is
// caught on load, so embedder and detector cannot silently disagree. Keyed under the first
// epoch, which rotation never removes.
function _integrityTag(key: LineageKey): string {
  const macKey = key.deriveKeyMaterial('key-file-integrity', { epoch: (key.epochs[0] as KeyEpoch).epoch });
  return bytesToHex(hmac(sha256, macKey, utf8ToBytes(JSON.stringify(_publicBody(key)))));
}

/** The exact bytes written for a key (contains the secret). */
export function serializeKeyFile(key: LineageKey): string {
  const body = { ..._publicBody(key), secret: key._secretHexForKeyFile(), integrity: _integrityTag(key) };
  return `${JSON.stringify(body, null, 2)}\n`;
}

/** Writes a key file atomically with mode 0600. */
export function saveKeyFile(key: LineageKey, path: string, options: { readonly force?: boolean } = {}): void {
  writePrivateFileAtomically(path, serializeKeyFile(key), {
    replace: options.force ?? false,
    fail: (stage, code) =>
      stage === 'create'
        ? new KeyFileError(path, `cannot be written: the folder is missing or not writable (${code})`)
        : code === 'EEXIST'
          ? new KeyFileError(path, 'already exists. Use --force to replace it (the old key is then lost).')
          : new KeyFileError(path, `cannot be written (${code ?? 'unknown error'})`),
  });
}

/** Reads and fully validates a key file. */
export function loadKeyFile(path: string): LineageKey {
  return parseKeyFile(_readPrivateFile(path), path);
}

/**
 * Starts a new epoch (fresh channel keys, old epochs kept for detection) and saves the file.
 * Read-modify-write without a lock: do not rotate or add campaigns to one file concurrently.
 */
export function rotateKeyFile(path: string, now: Date = new Date()): LineageKey {
  const key = loadKeyFile(path);
  const epoch = Math.max(...key.epochs.map((e) => e.epoch)) + 1;
  const rotated = key.withInfo({ activeEpoch: epoch, epochs: [...key.epochs, { epoch, createdAt: now.toISOString() }] });
  saveKeyFile(rotated, path, { force: true });
  return rotated;
}

/** Registers a campaign in a key file so detection tests it (idempotent). */
export function addCampaignToKeyFile(path: string, campaignId: string, now: Date = new Date()): LineageKey {
  const key = loadKeyFile(path);
  if (!ID_PATTERN.test(campaignId)) {
    throw new KeyFileError(path, 'a campaign id is 1-128 characters of letters, digits and . _ : @ -');
  }
  if (key.campaigns.some((c) => c.id === campaignId)) return key;
  const updated = key.withInfo({ campaigns: [...key.campaigns, { id: campaignId, createdAt: now.toISOString() }] });
  saveKeyFile(updated, path, { force: true });
  return updated;
}

/** Validates key-file text. `path` only labels errors. */
export function parseKeyFile(text: string, path: string): LineageKey {
  const fail = (why: string): never => {
    throw new KeyFileError(path, why);
  };
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    // No `cause`: the parser's message quotes the file, which holds the secret.
    return fail('is not valid JSON (truncated or corrupted). Restore it from a backup; a new key needs `lineage keygen`.');
  }
  if (!isRecord(raw)) return fail('is not a Lineage key file (expected a JSON object)');
  const doc = raw;
  if (doc.format !== KEY_FILE_FORMAT) return fail('is not a Lineage key file (missing "format": "lineage-key")');
  if (doc.version !== KEY_FILE_VERSION) {
    return fail(
      `has format version ${JSON.stringify(doc.version)}; this Lineage reads version ${KEY_FILE_VERSION}. Use the Lineage release that wrote it.`,
    );
  }
  const known = new Set([
    'format',
    'version',
    'keyId',
    'commitment',
    'createdAt',
    'secret',
    'tokenizer',
    'activeEpoch',
    'epochs',
    'schemes',
    'campaigns',
    'integrity',
  ]);
  for (const field of Object.keys(doc)) if (!known.has(field)) fail(`has an unknown field ${JSON.stringify(field)}`);
  if (typeof doc.secret !== 'string' || !HEX_SECRET.test(doc.secret)) {
    return fail('has a missing or malformed secret (expected 64 lowercase hex digits); the file is corrupted');
  }
  const createdAt = _isoTime(doc.createdAt, 'createdAt', fail);
  if (!isEncodingName(doc.tokenizer)) return fail(`names an unknown tokenizer ${JSON.stringify(doc.tokenizer)}`);
  const epochs = _epochs(doc.epochs, fail);
  if (typeof doc.activeEpoch !== 'number' || !epochs.some((e) => e.epoch === doc.activeEpoch)) {
    return fail('has an activeEpoch that is not among its epochs');
  }
  const campaigns = _campaigns(doc.campaigns, fail);
  let schemes: SchemeParameters;
  try {
    schemes = resolveSchemeParameters(doc.schemes);
  } catch (error) {
    return fail(`has invalid scheme parameters: ${(error as Error).message}`);
  }
  const key = new LineageKey(Buffer.from(doc.secret, 'hex'), {
    createdAt,
    tokenizer: doc.tokenizer,
    activeEpoch: doc.activeEpoch,
    epochs,
    schemes,
    campaigns,
  });
  if (doc.commitment !== key.commitment) return fail('has a commitment that does not match its secret: the file was corrupted or edited');
  if (doc.keyId !== keyIdOf(key.commitment))
    return fail('has a keyId that does not match its commitment: the file was corrupted or edited');
  if (typeof doc.integrity !== 'string' || !equalStrings(doc.integrity, _integrityTag(key))) {
    return fail('fails its integrity check: parameters, epochs or campaigns were edited or corrupted. Restore it from a backup.');
  }
  return key;
}

function _isoTime(value: unknown, field: string, fail: (why: string) => never): string {
  if (typeof value !== 'string' || Number.isNaN(Date.parse(value)) || new Date(value).toISOString() !== value) {
    return fail(`has a malformed ${field} (expected an ISO-8601 UTC time)`);
  }
  return value;
}

function _epochs(value: unknown, fail: (why: string) => never): KeyEpoch[] {
  if (!Array.isArray(value) || value.length === 0) return fail('has no epochs');
  let previous = -1;
  return value.map((entry: unknown) => {
    if (!isRecord(entry)) return fail('has a malformed epoch entry');
    const { epoch, createdAt, ...rest } = entry;
    if (Object.keys(rest).length > 0) fail('has an epoch entry with unknown fields');
    if (typeof epoch !== 'number' || !Number.isInteger(epoch) || epoch <= previous || epoch > 0xffffffff) {
      return fail('has epochs that are not strictly increasing integers');
    }
    previous = epoch;
    return { epoch, createdAt: _isoTime(createdAt, 'epoch createdAt', fail) };
  });
}

function _campaigns(value: unknown, fail: (why: string) => never): Campaign[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) return fail('has a malformed campaigns list');
  const seen = new Set<string>();
  return value.map((entry: unknown) => {
    if (!isRecord(entry)) return fail('has a malformed campaign entry');
    const { id, createdAt, ...rest } = entry;
    if (Object.keys(rest).length > 0) fail('has a campaign entry with unknown fields');
    if (typeof id !== 'string' || !ID_PATTERN.test(id) || seen.has(id)) return fail('has a missing, malformed or repeated campaign id');
    seen.add(id);
    return { id, createdAt: _isoTime(createdAt, 'campaign createdAt', fail) };
  });
}

function _readPrivateFile(path: string): string {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new KeyFileError(path, 'does not exist. Create a key with `lineage keygen --out FILE`.');
    if (code === 'ELOOP') throw new KeyFileError(path, 'is a symbolic link; point to the key file itself');
    throw new KeyFileError(path, `cannot be opened (${code ?? 'unknown error'})`);
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw new KeyFileError(path, 'is not a regular file');
    if (process.platform !== 'win32' && (stat.mode & 0o077) !== 0) {
      const mode = (stat.mode & 0o777).toString(8).padStart(3, '0');
      throw new KeyFileError(
        path,
        `is readable or writable by group or others (mode ${mode}). Run \`chmod 600 ${path}\` if this is your key, or create a new one if others may have read it.`,
      );
    }
    if (stat.size > MAX_KEY_FILE_BYTES) throw new KeyFileError(path, 'is too large to be a Lineage key file');
    return readOpenFile(fd, stat.size);
  } finally {
    closeSync(fd);
  }
}
