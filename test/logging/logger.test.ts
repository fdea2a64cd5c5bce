import { afterEach, describe, expect, it } from 'vitest';
import { createLogger, redactLine, withContext, type CreateLoggerOptions } from '../../src/logging/logger.js';
import { clearRegisteredSecrets, registerSecret } from '../../src/util/redact.js';

const MNEMONIC = 'legal winner thank year wave sausage worth useful legal winner thank yellow';

function capture(options: Omit<CreateLoggerOptions, 'stream'> = {}) {
  const lines: string[] = [];
  const logger = createLogger({ ...options, stream: { write: (line: string) => lines.push(line) } });
  return { logger, lines, json: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

afterEach(() => {
  clearRegisteredSecrets();
});

describe('createLogger, json format', () => {
  it('writes one JSON object per line with level as a word and an ISO time', () => {
    const { logger, lines, json } = capture();
    logger.info({ gas_per_sec: 5_000_000 }, 'phase %s started', 'warmup');
    expect(lines).toHaveLength(1);
    expect(lines[0]!.endsWith('\n')).toBe(true);
    const [entry] = json();
    expect(entry).toMatchObject({ level: 'info', msg: 'phase warmup started', gas_per_sec: 5_000_000 });
    expect(entry!.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it('drops lines below the configured level', () => {
    const { logger, json } = capture({ level: 'warn' });
    logger.info('not written');
    logger.debug('not written');
    logger.warn('written');
    logger.error('written too');
    expect(json().map((e) => e.level)).toEqual(['warn', 'error']);
  });

  it('child loggers carry run_id and edge_id', () => {
    const { logger, json } = capture({ level: 'debug' });
    const run = withContext(logger, { run_id: 'run-42' });
    const edge = withContext(run, { edge_id: 'edge-eu-1' });
    run.info('run started');
    edge.debug({ nonce: 7 }, 'tx sent');
    logger.child({ run_id: 'run-43', edge_id: 'edge-us-1' }).warn('plain pino child');
    const [first, second, third] = json();
    expect(first).toMatchObject({ run_id: 'run-42', msg: 'run started' });
    expect(first).not.toHaveProperty('edge_id');
    expect(second).toMatchObject({ run_id: 'run-42', edge_id: 'edge-eu-1', nonce: 7, level: 'debug' });
    expect(third).toMatchObject({ run_id: 'run-43', edge_id: 'edge-us-1' });
  });

  it('adds the bindings given at creation to every line', () => {
    const { logger, json } = capture({ bindings: { run_id: 'run-1', edge_id: 'edge-1' } });
    logger.info('a');
    logger.error('b');
    expect(json().map((e) => [e.run_id, e.edge_id])).toEqual([
      ['run-1', 'edge-1'],
      ['run-1', 'edge-1'],
    ]);
  });
});

describe('createLogger, pretty format', () => {
  it('writes human-readable text, not JSON', () => {
    const { logger, lines } = capture({ format: 'pretty', bindings: { run_id: 'run-7' } });
    logger.warn('sequencer slow');
    expect(lines).toHaveLength(1);
    const text = lines[0]!;
    expect(() => JSON.parse(text) as unknown).toThrow();
    expect(text).toMatch(/WARN.*sequencer slow/);
    expect(text).toContain('run_id: "run-7"');
    // No colour codes when writing to a captured stream.
    expect(text).not.toContain('\u001b[');
  });
});

describe('redaction of log lines', () => {
  const URL_WITH_CREDENTIALS = 'https://alice:s3cr3tpw@rpc.example.com/v3/KEYabcdefghijklmnop1234?apikey=QKEY987654321';
  const leaks = ['sausage', 's3cr3tpw', 'KEYabcdefghijklmnop1234', 'QKEY987654321'];

  function assertClean(lines: readonly string[]): void {
    const all = lines.join('');
    for (const s of leaks) expect(all).not.toContain(s);
  }

  for (const format of ['json', 'pretty'] as const) {
    it(`never writes a registered secret or URL credential (${format})`, () => {
      registerSecret(MNEMONIC);
      const { logger, lines } = capture({ format, bindings: { endpoint: URL_WITH_CREDENTIALS } });
      logger.info(`using mnemonic ${MNEMONIC}`);
      logger.info('connecting to %s', URL_WITH_CREDENTIALS);
      logger.info({ mnemonic: MNEMONIC, nested: { url: URL_WITH_CREDENTIALS, list: [MNEMONIC] } }, 'config');
      logger.error(new Error(`request to ${URL_WITH_CREDENTIALS} failed`), 'rpc error');
      logger.child({ rpc: URL_WITH_CREDENTIALS }).warn('child binding');
      expect(lines).toHaveLength(5);
      assertClean(lines);
      expect(lines.join('')).toContain('***');
      expect(lines.join('')).toContain('rpc.example.com');
      if (format === 'json') for (const l of lines) expect(() => JSON.parse(l) as unknown).not.toThrow();
    });
  }

  it('keeps a line valid JSON when a URL is followed by an escaped quote', () => {
    const { logger, lines } = capture();
    logger.info('bad endpoint "http://bob:pa55word@host/x"');
    const entry = JSON.parse(lines[0]!) as { msg: string };
    expect(entry.msg).not.toContain('pa55word');
    expect(redactLine('{"msg":"see http://h/x\\" now"}\n')).toBe('{"msg":"see http://h/x\\" now"}\n');
    expect(() => JSON.parse(redactLine('{"a":"http://u:pw123456@h/x\\"y"}\n')) as unknown).not.toThrow();
  });

  it('passes lines with nothing to hide through unchanged', () => {
    const line = '{"level":"info","n":123456789012345678901234567890,"msg":"plain"}\n';
    expect(redactLine(line)).toBe(line);
  });
});
