// Routes under /runs: start a run, follow it, cancel it, and fetch its report once it ended,
// as JSON or, for a reader who asks for it with Accept, as Markdown.

import express, { Router } from 'express';
import { ErrorCodes } from '../../errors/codes.js';
import { GasHammerError } from '../../errors/gashammer-error.js';
import { renderReportMarkdown } from '../../report/render-markdown.js';
import { redactDeep } from '../../util/redact.js';
import type { HiveApi, RunView } from '../api.js';
import { describeState, isActive } from '../run-state.js';
import { notFound } from './errors.js';
import { sendJson } from './json.js';
import { JSON_TYPE, parseStartRun, requireMediaType } from './request-body.js';

const MARKDOWN_TYPE = 'text/markdown';
const CANCEL_REASON = 'cancelled over the REST API';

export function runRoutes(api: HiveApi, maxBodyBytes: number): Router {
  const router = Router();

  function knownRun(id: string): RunView {
    const run = api.getRun(id);
    if (!run) throw notFound(`no run with id '${id}'`);
    return run;
  }

  router.post(
    '/runs',
    (req, _res, next) => {
      requireMediaType(req, [JSON_TYPE]);
      next();
    },
    express.json({ type: JSON_TYPE, limit: maxBodyBytes, strict: true }),
    async (req, res) => {
      const request = parseStartRun(req.body);
      // Checked here so an unknown scenario is a 404 whatever error the hive would raise.
      if (!api.getScenario(request.scenario)) {
        throw notFound(`no scenario named '${request.scenario}'; upload it with POST /scenarios first`);
      }
      const run = await api.startRun(request);
      res.location(`/runs/${encodeURIComponent(run.id)}`);
      sendJson(res, 202, run);
    },
  );

  router.get('/runs', (_req, res) => {
    sendJson(res, 200, api.listRuns());
  });

  router.get('/runs/:id', (req, res) => {
    sendJson(res, 200, knownRun(req.params.id));
  });

  router.get('/runs/:id/report', (req, res) => {
    const run = knownRun(req.params.id);
    const report = api.getReport(run.id);
    if (!report) {
      const why = isActive(run.state.name) ? `is still ${describeState(run.state)}` : 'has ended but its report is not written yet';
      throw new GasHammerError(ErrorCodes.RunConflict, `run '${run.id}' ${why}; its report is not ready`);
    }
    res.vary('Accept');
    // JSON is listed first, so */* and a missing Accept get JSON; an Accept naming neither also does.
    if (req.accepts([JSON_TYPE, MARKDOWN_TYPE]) === MARKDOWN_TYPE) {
      res.status(200).type(`${MARKDOWN_TYPE}; charset=utf-8`).send(renderReportMarkdown(redactDeep(report)));
      return;
    }
    sendJson(res, 200, report);
  });

  router.delete('/runs/:id', (req, res) => {
    const run = api.cancelRun(req.params.id, CANCEL_REASON);
    if (!run) throw notFound(`no run with id '${req.params.id}'`);
    sendJson(res, 200, run);
  });

  return router;
}
