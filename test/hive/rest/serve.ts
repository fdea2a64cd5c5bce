// Runs the REST app on a real loopback socket for one test, over the in-memory HiveApi
// stand-in, and offers small fetch helpers that return status, headers and the parsed body.

import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach } from 'vitest';
import { createRestApp, type RestAppOptions } from '../../../src/hive/rest/app.js';
import { MemoryHiveApi } from '../../support/memory-hive-api.js';

export interface Reply {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  readonly json: any;
}

export interface RestFixture {
  api: MemoryHiveApi;
  url: string;
  serverErrors: unknown[];
  request(method: string, path: string, init?: { body?: string | Uint8Array; headers?: Record<string, string> }): Promise<Reply>;
  get(path: string, headers?: Record<string, string>): Promise<Reply>;
  postJson(path: string, value: unknown): Promise<Reply>;
  postYaml(path: string, text: string): Promise<Reply>;
}

/** A fresh stand-in hive and a listening REST app for each test of the calling file. */
export function useRestServer(options: RestAppOptions = {}): RestFixture {
  let server: Server | undefined;
  const fixture = { serverErrors: [] as unknown[] } as unknown as RestFixture;

  beforeEach(async () => {
    fixture.api = new MemoryHiveApi();
    fixture.serverErrors = [];
    const app = createRestApp(fixture.api, { ...options, onServerError: (e) => fixture.serverErrors.push(e) });
    server = app.listen(0, '127.0.0.1');
    await once(server, 'listening');
    fixture.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterEach(async () => {
    if (!server) return;
    server.closeAllConnections();
    server.close();
    await once(server, 'close');
  });

  fixture.request = async (method, path, init = {}) => {
    const response = await fetch(`${fixture.url}${path}`, { method, body: init.body, headers: init.headers });
    const text = await response.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: response.status, headers: response.headers, text, json };
  };
  fixture.get = (path, headers = {}) => fixture.request('GET', path, { headers });
  fixture.postJson = (path, value) => fixture.request('POST', path, { body: JSON.stringify(value), headers: { 'content-type': 'application/json' } });
  fixture.postYaml = (path, text) => fixture.request('POST', path, { body: text, headers: { 'content-type': 'application/yaml' } });
  return fixture;
}

export const POWERED_BY = 'GasHammer/0.0.0-test';
