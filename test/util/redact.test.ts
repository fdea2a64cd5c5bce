// Redaction: credentials in URLs (user info, API keys in the query and in the path), URLs
// inside longer text, registered secrets wherever they appear, deep copies of JSON values, and
// ordinary URLs left exactly as they were.

import { afterEach, describe, it, expect } from 'vitest';
import { clearRegisteredSecrets, redact, redactDeep, redactUrl, registerSecret } from '../../src/util/redact.js';

const INFURA_KEY = '0123456789abcdef0123456789abcdef';
const ALCHEMY_KEY = 'Xk3dA9fQ2LmN7pR1sT5uV8wY0zB4cE6g';

afterEach(() => clearRegisteredSecrets());

describe('redactUrl: user info', () => {
  it.each([
    ['http://user:pass@host:8545/x', 'http://***@host:8545/x'],
    ['https://alice:s3cr3t@rpc.example.com/', 'https://***@rpc.example.com/'],
    ['ws://user:pass@127.0.0.1:8548/', 'ws://***@127.0.0.1:8548/'],
    ['wss://user:pass@feed.example/ws', 'wss://***@feed.example/ws'],
    ['ftp://anonymous:guest@ftp.example.com/pub/file.txt', 'ftp://***@ftp.example.com/pub/file.txt'],
    ['https://onlyatoken@rpc.example.com/', 'https://***@rpc.example.com/'],
    ['https://:justapassword@rpc.example.com/', 'https://***@rpc.example.com/'],
    ['https://user:p%40ss@rpc.example.com/', 'https://***@rpc.example.com/'],
  ])('%s', (raw, expected) => {
    expect(redactUrl(raw)).toBe(expected);
  });

  it('hides the user info of a URL it cannot parse', () => {
    const out = redactUrl('http://user:secret@exa mple.com/');
    expect(out).not.toContain('secret');
    expect(out).toContain('//***@');
  });
});

describe('redactUrl: API keys in the query', () => {
  it.each([
    ['https://rpc.example.com/?apikey=SEKRET123', 'https://rpc.example.com/?apikey=***'],
    ['https://rpc.example.com/rpc?key=SEKRET123', 'https://rpc.example.com/rpc?key=***'],
    ['https://rpc.example.com/rpc?token=SEKRET123', 'https://rpc.example.com/rpc?token=***'],
    ['https://rpc.example.com/rpc?api_key=SEKRET123', 'https://rpc.example.com/rpc?api_key=***'],
    ['https://rpc.example.com/rpc?api-key=SEKRET123', 'https://rpc.example.com/rpc?api-key=***'],
    ['https://rpc.example.com/rpc?access_token=SEKRET123', 'https://rpc.example.com/rpc?access_token=***'],
    ['https://rpc.example.com/rpc?x-api-key=SEKRET123', 'https://rpc.example.com/rpc?x-api-key=***'],
    ['https://rpc.example.com/rpc?ApiKey=SEKRET123', 'https://rpc.example.com/rpc?ApiKey=***'],
    ['wss://feed.example/ws?TOKEN=SEKRET123', 'wss://feed.example/ws?TOKEN=***'],
  ])('%s', (raw, expected) => {
    expect(redactUrl(raw)).toBe(expected);
  });

  it('keeps the other parameters', () => {
    const out = redactUrl('https://rpc.example.com/rpc?chain=42161&apikey=SEKRET123&mode=fast');
    expect(out).toBe('https://rpc.example.com/rpc?chain=42161&apikey=***&mode=fast');
  });

  it('hides every secret parameter, including repeats', () => {
    const out = redactUrl('https://rpc.example.com/?key=AAA111&token=BBB222&key=CCC333');
    expect(out).not.toMatch(/AAA111|BBB222|CCC333/);
    expect(out).toContain('token=***');
  });

  it('leaves parameters that merely contain a secret-sounding word', () => {
    for (const raw of ['https://rpc.example.com/?keys=1', 'https://rpc.example.com/?monkey=2', 'https://rpc.example.com/?tokens=3']) {
      expect(redactUrl(raw)).toBe(raw);
    }
  });
});

describe('redactUrl: API keys in the path', () => {
  it.each([
    [`https://mainnet.infura.io/v3/${INFURA_KEY}`, 'https://mainnet.infura.io/v3/***'],
    [`https://arbitrum-mainnet.infura.io/v3/${INFURA_KEY}`, 'https://arbitrum-mainnet.infura.io/v3/***'],
    [`wss://arbitrum-mainnet.infura.io/ws/v3/${INFURA_KEY}`, 'wss://arbitrum-mainnet.infura.io/ws/v3/***'],
    [`https://arb-mainnet.g.alchemy.com/v2/${ALCHEMY_KEY}`, 'https://arb-mainnet.g.alchemy.com/v2/***'],
    [`https://example.quiknode.pro/${INFURA_KEY}abcd1234/`, 'https://example.quiknode.pro/***/'],
  ])('%s', (raw, expected) => {
    expect(redactUrl(raw)).toBe(expected);
  });

  it('keeps short and word-like segments', () => {
    for (const raw of [
      'https://rpc.example.com/v3/',
      'https://rpc.example.com/eth-mainnet-archive-node-public/rpc',
      'https://rpc.example.com/api/v1/chains/42161',
    ]) {
      expect(redactUrl(raw)).toBe(raw);
    }
  });

  it('hides user info, path key and query key together', () => {
    const out = redactUrl(`https://u:pw@mainnet.infura.io/v3/${INFURA_KEY}?apikey=SEKRET123&x=1`);
    expect(out).toBe('https://***@mainnet.infura.io/v3/***?apikey=***&x=1');
  });
});

describe('redactUrl: ordinary URLs are left unchanged', () => {
  it.each([
    'http://127.0.0.1:8545',
    'http://localhost:8547',
    'ws://127.0.0.1:8548',
    'https://arb1.arbitrum.io/rpc',
    'https://sepolia-rollup.arbitrum.io/rpc?chain=421614',
    'http://127.0.0.1:8545/?a=b%20c&d=e+f',
    'HTTP://Example.COM:80/Path',
    'http://[::1]:8545',
    'not a url at all',
  ])('%s', (raw) => {
    expect(redactUrl(raw)).toBe(raw);
  });
});

describe('redact: URLs inside text', () => {
  it('redacts every URL in a message and keeps the rest', () => {
    const text = `cannot reach http://alice:pw@10.0.0.5:8547/ nor https://mainnet.infura.io/v3/${INFURA_KEY} (tried twice)`;
    expect(redact(text)).toBe('cannot reach http://***@10.0.0.5:8547/ nor https://mainnet.infura.io/v3/*** (tried twice)');
  });

  it('leaves ordinary URLs in text exactly as written', () => {
    const text = 'connect ECONNREFUSED http://127.0.0.1:8545 (sequencer), feed ws://127.0.0.1:9642';
    expect(redact(text)).toBe(text);
  });

  it('stops a URL at quotes and angle brackets', () => {
    expect(redact(`{"url":"https://u:pw@rpc.example.com/x","n":1}`)).toBe(`{"url":"https://***@rpc.example.com/x","n":1}`);
    expect(redact(`<wss://u:pw@feed.example/ws>`)).toBe(`<wss://***@feed.example/ws>`);
    expect(redact(`'https://rpc.example.com/?token=abc123xyz'`)).toBe(`'https://rpc.example.com/?token=***'`);
  });

  it.each([
    ['a comma', `request to https://mainnet.infura.io/v3/${INFURA_KEY}, retrying`, ', retrying'],
    ['a full stop', `could not connect to https://arb-mainnet.g.alchemy.com/v2/${ALCHEMY_KEY}.`, '.'],
    ['a closing parenthesis', `(endpoint https://mainnet.infura.io/v3/${INFURA_KEY})`, ')'],
    ['a semicolon', `rpc=https://mainnet.infura.io/v3/${INFURA_KEY}; feed=none`, '; feed=none'],
    ['a Markdown backtick', `- sequencer: \`https://mainnet.infura.io/v3/${INFURA_KEY}\``, '`'],
  ])('hides a path key in a URL followed by %s', (_what, text, tail) => {
    const out = redact(text);
    expect(out).not.toContain(INFURA_KEY);
    expect(out).not.toContain(ALCHEMY_KEY);
    expect(out.endsWith(tail)).toBe(true);
  });

  it('hides user info and query keys in a URL followed by punctuation', () => {
    const out = redact('tried http://alice:pw1234@10.0.0.5:8547, then https://rpc.example.com/?apikey=SEKRET123.');
    expect(out).not.toContain('pw1234');
    expect(out).not.toContain('SEKRET123');
  });

  it('handles text without URLs', () => {
    expect(redact('')).toBe('');
    expect(redact('nothing to see: 1:2@3')).toBe('nothing to see: 1:2@3');
  });
});

describe('registered secrets', () => {
  const FUNDER_KEY = '0xb6b15c8cb491557369f3c7d2c287b053eb229daa9c22138887752191c9520659';

  it('are removed everywhere they appear', () => {
    registerSecret(FUNDER_KEY);
    const text = `funder ${FUNDER_KEY} failed; retry with ${FUNDER_KEY}!`;
    expect(redact(text)).toBe('funder *** failed; retry with ***!');
    expect(redact(`key=${FUNDER_KEY.slice(2)}`)).toBe(`key=${FUNDER_KEY.slice(2)}`); // a different string
  });

  it('are removed inside URLs too', () => {
    registerSecret('sess-Abc123-xyz');
    expect(redact('wss://feed.example/ws?session=sess-Abc123-xyz&x=1')).toBe('wss://feed.example/ws?session=***&x=1');
    expect(redact('https://rpc.example.com/sess-Abc123-xyz/rpc')).not.toContain('sess-Abc123-xyz');
  });

  it('are removed from a mnemonic, spaces and all', () => {
    const mnemonic = 'test test test test test test test test test test test junk';
    registerSecret(mnemonic);
    expect(redact(`mnemonic: "${mnemonic}"`)).toBe('mnemonic: "***"');
  });

  it('ignore values shorter than 6 characters, and undefined', () => {
    registerSecret('abc');
    registerSecret('');
    registerSecret(undefined);
    expect(redact('abc abcdef')).toBe('abc abcdef');
    registerSecret('abcdef');
    expect(redact('abc abcdef')).toBe('abc ***');
  });

  it('are forgotten by clearRegisteredSecrets', () => {
    registerSecret('hunter2hunter2');
    expect(redact('pw hunter2hunter2')).toBe('pw ***');
    clearRegisteredSecrets();
    expect(redact('pw hunter2hunter2')).toBe('pw hunter2hunter2');
  });

  it('stay hidden when the URL around them is re-encoded', () => {
    // The token parameter makes redactUrl rebuild the query, which percent-encodes `/` and `=`;
    // the registered signature must not survive in that encoded form either.
    const signature = 'ab+cd/ef==12';
    registerSecret(signature);
    const out = redact(`wss://relay.example/feed?token=SEKRET123&sig=${signature}`);
    expect(out).not.toContain('SEKRET123');
    expect(out).not.toContain(signature);
    expect(decodeURIComponent(out)).not.toContain(signature);
  });
});

describe('redactDeep', () => {
  it('redacts every string of a JSON-like value and copies it', () => {
    registerSecret('my-secret-token');
    const input = {
      target: { sequencerRpc: `https://mainnet.infura.io/v3/${INFURA_KEY}`, feedRelay: 'wss://u:p@feed.example/ws', chainId: 42161 },
      notes: ['uses my-secret-token', 'http://127.0.0.1:8545', 7, true, null],
      nested: [[{ deep: 'https://rpc.example.com/?key=SEKRET123' }]],
      ok: false,
    };
    const before = JSON.stringify(input);
    const out = redactDeep(input);
    expect(out).toEqual({
      target: { sequencerRpc: 'https://mainnet.infura.io/v3/***', feedRelay: 'wss://***@feed.example/ws', chainId: 42161 },
      notes: ['uses ***', 'http://127.0.0.1:8545', 7, true, null],
      nested: [[{ deep: 'https://rpc.example.com/?key=***' }]],
      ok: false,
    });
    expect(JSON.stringify(input)).toBe(before);
    expect(out).not.toBe(input);
    expect(out.target).not.toBe(input.target);
  });

  it('passes non-strings through', () => {
    expect(redactDeep(42)).toBe(42);
    expect(redactDeep(12n)).toBe(12n);
    expect(redactDeep(null)).toBe(null);
    expect(redactDeep(undefined)).toBe(undefined);
    expect(redactDeep([1, 'ftp://a:b@h/f'])).toEqual([1, 'ftp://***@h/f']);
  });
});
