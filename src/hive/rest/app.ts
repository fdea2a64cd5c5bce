// The hive's REST API as an express application over a HiveApi: common headers, the routes per
// resource, and one error path. It does not listen; the caller does (tests on port 0).

import express from 'express';
import type { HiveApi } from '../api.js';
import { edgeRoutes } from './edges.js';
import { errorHandler, unknownRoute } from './errors.js';
import { runRoutes } from './runs.js';
import { scenarioRoutes } from './scenarios.js';
import { systemRoutes } from './system.js';

/** A scenario is at most 1 MiB of YAML (GH-E900), so a bigger body is never useful. */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

export interface RestAppOptions {
  /** Largest request body accepted, in bytes; larger ones get 413. Default 1 MiB. */
  readonly maxBodyBytes?: number;
  /** Called with every error answered with a 5xx (a bug, or a hive failure), for the hive's log. */
  readonly onServerError?: (error: unknown) => void;
}

export function createRestApp(api: HiveApi, options: RestAppOptions = {}): express.Express {
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const poweredBy = `GasHammer/${api.buildInfo.version}`;
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');

  // First, so every answer carries them: routes, errors, and unknown routes alike.
  app.use((_req, res, next) => {
    res.setHeader('X-Powered-By', poweredBy);
    // Views are live state; a cached run status is a wrong one.
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    next();
  });

  app.use(systemRoutes(api));
  app.use(scenarioRoutes(api, maxBodyBytes));
  app.use(runRoutes(api, maxBodyBytes));
  app.use(edgeRoutes(api));
  app.use(unknownRoute);
  app.use(errorHandler(options.onServerError));
  return app;
}
