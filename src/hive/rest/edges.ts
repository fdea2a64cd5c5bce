// Routes under /edges: the hive's register of edges, as it stands.

import { Router } from 'express';
import type { HiveApi } from '../api.js';
import { notFound } from './errors.js';
import { sendJson } from './json.js';

export function edgeRoutes(api: HiveApi): Router {
  const router = Router();

  router.get('/edges', (_req, res) => {
    sendJson(res, 200, api.listEdges());
  });

  router.get('/edges/:id', (req, res) => {
    const edge = api.getEdge(req.params.id);
    if (!edge) throw notFound(`no edge with id '${req.params.id}'`);
    sendJson(res, 200, edge);
  });

  return router;
}
