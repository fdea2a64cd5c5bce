// The hive's own routes: liveness, version, and its Prometheus metrics.

import { Router } from 'express';
import type { HiveApi } from '../api.js';
import { sendJson } from './json.js';

export function systemRoutes(api: HiveApi): Router {
  const router = Router();

  router.get('/health', (_req, res) => {
    sendJson(res, 200, api.health());
  });

  router.get('/version', (_req, res) => {
    sendJson(res, 200, api.buildInfo);
  });

  router.get('/metrics', async (_req, res) => {
    const text = await api.metrics.metrics();
    res.status(200).type(api.metrics.contentType).send(text);
  });

  return router;
}
