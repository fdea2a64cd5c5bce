// What an Action step tells the runner: step outputs (appended to the GITHUB_OUTPUT file in its
// heredoc form), secret masks and log messages as workflow commands (`::error::`, ...). Written
// out rather than taken from @actions/core so the Action's entry can run in-process in tests with
// its own environment, and so every value written is escaped the one way the runner expects.

import { randomBytes } from 'node:crypto';
import { appendFileSync } from 'node:fs';

export interface WorkflowCommands {
  setOutput(name: string, value: string): void;
  /** Masks a secret in the rest of the job's log. */
  addMask(secret: string): void;
  info(message: string): void;
  notice(message: string): void;
  warning(message: string): void;
  error(message: string): void;
}

/** Escapes a workflow command's message (`%`, CR and LF), as the runner decodes it. */
function escapeData(text: string): string {
  return text.replaceAll('%', '%25').replaceAll('\r', '%0D').replaceAll('\n', '%0A');
}

export function workflowCommands(outputFile: string | undefined, write: (line: string) => void = (l) => process.stdout.write(l)): WorkflowCommands {
  return {
    setOutput(name, value) {
      if (outputFile === undefined) {
        // Outside a runner (no GITHUB_OUTPUT): say it in the log instead.
        write(`output ${name}=${value}\n`);
        return;
      }
      // A delimiter that cannot occur in the value, as the runner's heredoc form requires.
      let delimiter: string;
      do delimiter = `ghadelimiter_${randomBytes(12).toString('hex')}`;
      while (value.includes(delimiter));
      appendFileSync(outputFile, `${name}<<${delimiter}\n${value}\n${delimiter}\n`, 'utf8');
    },
    addMask(secret) {
      if (secret !== '') write(`::add-mask::${escapeData(secret)}\n`);
    },
    info: (message) => write(`${message}\n`),
    notice: (message) => write(`::notice::${escapeData(message)}\n`),
    warning: (message) => write(`::warning::${escapeData(message)}\n`),
    error: (message) => write(`::error::${escapeData(message)}\n`),
  };
}
