// Keeps secrets out of everything GasHammer prints or stores: credentials and API keys in
// URLs, and any value registered as secret (funder keys, tokens, mnemonics).

const REDACTED = '***';

/** Query parameters that carry credentials at common RPC providers. */
const SECRET_QUERY_KEYS = /^(?:api[-_]?key|key|token|access[-_]?token|auth|secret|password|apikey|x-api-key)$/i;
/** A path segment that looks like an API key (Infura, Alchemy and others put keys in the path). */
const KEY_LIKE_SEGMENT = /^[A-Za-z0-9_-]{20,}$/;
/** Long runs of letters and digits only are keys too, even without a digit. */
const LONG_TOKEN_SEGMENT = /^[A-Za-z0-9]{32,}$/;

const registered = new Set<string>();

/** Remembers a secret value so redact() removes it wherever it appears. */
export function registerSecret(value: string | undefined): void {
  if (value && value.length >= 6) registered.add(value);
}

/** For tests: forget registered secrets. */
export function clearRegisteredSecrets(): void {
  registered.clear();
}

/**
 * A URL with user info, key-like path segments and credential query values replaced. A URL
 * with nothing to hide comes back exactly as given (no normalisation, no added slash).
 */
export function redactUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return raw.replace(/\/\/[^/@\s]*@/, `//${REDACTED}@`);
  }
  let changed = false;
  if (url.username || url.password) {
    url.username = REDACTED;
    url.password = '';
    changed = true;
  }
  const segments = url.pathname.split('/');
  const hidden = segments.map((seg) => ((KEY_LIKE_SEGMENT.test(seg) && /\d/.test(seg)) || LONG_TOKEN_SEGMENT.test(seg) ? REDACTED : seg));
  if (hidden.some((seg, i) => seg !== segments[i])) {
    url.pathname = hidden.join('/');
    changed = true;
  }
  for (const key of [...url.searchParams.keys()]) {
    if (SECRET_QUERY_KEYS.test(key)) {
      url.searchParams.set(key, REDACTED);
      changed = true;
    }
  }
  return changed ? url.toString().replace(/%2A%2A%2A/g, REDACTED) : raw;
}

const URL_IN_TEXT = /\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>]+/gi;

/** Punctuation that ends a sentence rather than a URL: "see https://x/KEY, then". */
const TRAILING_PUNCTUATION = /[.,;:!?)\]}'"`>]+$/;

function removeRegistered(text: string): string {
  let out = text;
  // Longest first, so a secret that contains a shorter one leaves no fragment behind.
  const secrets = [...registered].sort((a, b) => b.length - a.length);
  for (const secret of secrets) {
    out = out.split(secret).join(REDACTED);
    const encoded = encodeURIComponent(secret);
    if (encoded !== secret) out = out.split(encoded).join(REDACTED);
  }
  return out;
}

/** Text with every URL redacted and every registered secret removed (also percent-encoded). */
export function redact(text: string): string {
  // Registered secrets go first, before URL rewriting could percent-encode them, and again after.
  const withoutSecrets = removeRegistered(text);
  const withUrls = withoutSecrets.replace(URL_IN_TEXT, (match) => {
    const trailing = TRAILING_PUNCTUATION.exec(match)?.[0] ?? '';
    return redactUrl(match.slice(0, match.length - trailing.length)) + trailing;
  });
  return removeRegistered(withUrls);
}

/** Deep copy of a JSON-like value with every string redacted. */
export function redactDeep<T>(value: T): T {
  if (typeof value === 'string') return redact(value) as T;
  if (Array.isArray(value)) return value.map(redactDeep) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactDeep(v)])) as T;
  }
  return value;
}
