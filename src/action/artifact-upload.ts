// Uploads the results folder as a workflow artifact through GitHub's artifact service
// (@actions/artifact, which reads ACTIONS_RUNTIME_TOKEN and ACTIONS_RESULTS_URL from the
// runner's environment). Outside a runner there is no such service: the upload is skipped and
// the log says so; the results stay on disk.

import { DefaultArtifactClient } from '@actions/artifact';
import type { ArtifactUploader } from './run-action.js';
import type { WorkflowCommands } from './workflow-commands.js';

/** Days the artifact is kept: long enough for a publish workflow and for a look next week. */
const RETENTION_DAYS = 14;

export function artifactUploader(env: Readonly<Record<string, string | undefined>>, workflow: WorkflowCommands): ArtifactUploader {
  return {
    async upload(name, files, rootDir) {
      if (!env.ACTIONS_RUNTIME_TOKEN || !env.ACTIONS_RESULTS_URL) {
        workflow.warning(`not on a GitHub runner with an artifact service (no ACTIONS_RUNTIME_TOKEN): the results stay in ${rootDir}`);
        return undefined;
      }
      const client = new DefaultArtifactClient();
      const { id } = await client.uploadArtifact(name, [...files], rootDir, { retentionDays: RETENTION_DAYS });
      const repo = env.GITHUB_REPOSITORY;
      const url = id !== undefined && repo && env.GITHUB_RUN_ID ? `${env.GITHUB_SERVER_URL ?? 'https://github.com'}/${repo}/actions/runs/${env.GITHUB_RUN_ID}/artifacts/${id}` : undefined;
      return { ...(id !== undefined ? { id } : {}), ...(url ? { url } : {}) };
    },
  };
}
