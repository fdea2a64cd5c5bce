// Routes under /scenarios: upload a scenario (YAML text, or JSON wrapping it) and read the
// stored ones back. Validation of the scenario itself is the hive's (api.putScenario), which
// reports every problem at once; this layer only gets the text out of the request.

import express, { Router, type Request } from 'express';
import type { HiveApi } from '../api.js';
import { notFound } from './errors.js';
import { sendJson } from './json.js';
import { JSON_TYPE, parseScenarioUpload, requireMediaType, YAML_TYPES } from './request-body.js';

const UPLOAD_TYPES = [...YAML_TYPES, JSON_TYPE];

export function scenarioRoutes(api: HiveApi, maxBodyBytes: number): Router {
  const router = Router();

  router.post(
    '/scenarios',
    (req, _res, next) => {
      requireMediaType(req, UPLOAD_TYPES);
      next();
    },
    express.text({ type: [...YAML_TYPES], limit: maxBodyBytes }),
    express.json({ type: JSON_TYPE, limit: maxBodyBytes, strict: true }),
    (req, res) => {
      const stored = api.putScenario(uploadedSource(req));
      res.location(`/scenarios/${encodeURIComponent(stored.name)}`);
      sendJson(res, 201, stored);
    },
  );

  router.get('/scenarios', (_req, res) => {
    sendJson(res, 200, api.listScenarios());
  });

  router.get('/scenarios/:name', (req, res) => {
    const stored = api.getScenario(req.params.name);
    if (!stored) throw notFound(`no scenario named '${req.params.name}'`);
    sendJson(res, 200, stored);
  });

  return router;
}

function uploadedSource(req: Request): string {
  if (req.is(JSON_TYPE)) return parseScenarioUpload(req.body).source;
  return req.body as string;
}
