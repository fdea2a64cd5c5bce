// The Markdown run report: what a reader finds in it, and that no value can break its tables.

import { describe, expect, it } from 'vitest';
import type { RunView } from '../../src/hive/api.js';
import { escapeCell, markdownTable } from '../../src/report/markdown-table.js';
import { renderReportMarkdown } from '../../src/report/render-markdown.js';
import type { RunReport } from '../../src/report/run-report.js';
import { sampleReport } from '../support/memory-hive-api.js';

const VIEW: RunView = {
  id: 'run-7',
  scenario: { name: 'smoke', hash: 'f00dfeedf00dfeedf00dfeedf00dfeed' },
  state: { name: 'done', verdict: 'pass' },
  phase: undefined,
  phaseCount: 1,
  createdAt: '2025-01-01T12:00:00.000Z',
  endedAt: '2025-01-01T12:01:00.000Z',
  edges: [
    { edgeIndex: 0, edgeId: 'e-1', name: 'edge-1', state: 'finished', reason: undefined, lastPhaseDone: 0 },
    { edgeIndex: 1, edgeId: 'e-2', name: 'edge-2', state: 'stale', reason: 'no heartbeat', lastPhaseDone: -1 },
  ],
  counters: { eventsReceived: 0, eventsDropped: 0, txSubmitted: 0, txIncluded: 0, txFailed: 0, txTimeout: 0, gasSubmitted: 0, gasIncluded: 0 },
  history: [],
};

function report(patch: Partial<RunReport> = {}): RunReport {
  return { ...sampleReport(VIEW, 'pass'), ...patch };
}

/** The data rows of the table under `## heading`. */
function tableRows(markdown: string, heading: string): string[] {
  const section = markdown.split(`## ${heading}\n\n`)[1]!.split('\n\n')[0]!;
  return section.split('\n').slice(2);
}

describe('renderReportMarkdown', () => {
  it('titles the report with the scenario and the verdict', () => {
    const text = renderReportMarkdown(report());
    expect(text.split('\n')[0]).toBe('# GasHammer run report: smoke: PASS');
    expect(text).toContain('**Outcome:** PASS');
  });

  it('lists the reasons of a failed verdict and the reason of an abort', () => {
    const failed = renderReportMarkdown(report({ outcome: { state: 'done', verdict: 'fail', reasons: ['p99_inclusion_ms < 2000 failed: 2500'] } }));
    expect(failed).toContain('# GasHammer run report: smoke: FAIL');
    expect(failed).toContain('- p99_inclusion_ms < 2000 failed: 2500');
    const aborted = renderReportMarkdown(report({ outcome: { state: 'aborted', reason: 'lost every edge' } }));
    expect(aborted).toContain('# GasHammer run report: smoke: ABORTED');
    expect(aborted).toContain('**Outcome:** ABORTED: lost every edge');
  });

  it('shows offered against achieved gas per phase, with the send counts', () => {
    const [row] = tableRows(renderReportMarkdown(report()), 'Phases');
    const cells = row!.split('|').map((c) => c.trim()).slice(1, -1);
    expect(cells).toEqual(['0', 'main', '60', '1,000,000', '994,000', '99.4%', '2,857', '2,840', '1', '7', '2', '4']);
  });

  it('shows each edge with its outcome, reason and telemetry counts', () => {
    const edges = report().edges.map((e, i) => (i === 1 ? { ...e, outcome: 'stale' as const, reason: 'no heartbeat for 20000 ms' } : e));
    const rows = tableRows(renderReportMarkdown(report({ edges })), 'Edges');
    expect(rows).toHaveLength(2);
    expect(rows[1]).toMatch(/^\|\s+1 \| edge-2 \(e-2\)\s+\| stale\s+\| no heartbeat for 20000 ms \|\s+1,200 \|\s+3 \|/);
  });

  it('sums up telemetry and lists the notes', () => {
    const text = renderReportMarkdown(report({ notes: ['edge-2 went stale', 'phase 1 was cut short'] }));
    expect(text).toContain('1,200 events received in 12 batches, 3 dropped by the edges before shipping; files: `telemetry-000.parquet`.');
    expect(text).toMatch(/## Notes\n\n- edge-2 went stale\n- phase 1 was cut short\n$/);
    expect(renderReportMarkdown(report({ notes: [] }))).toMatch(/## Notes\n\nNone\.\n$/);
  });

  it('keeps tables whole when a value holds pipes and line breaks', () => {
    const edges = [{ ...report().edges[0]!, reason: 'node said: a | b\nthen | c' }];
    const rows = tableRows(renderReportMarkdown(report({ edges })), 'Edges');
    expect(rows).toHaveLength(1);
    expect(rows[0]).toContain('node said: a \\| b<br>then \\| c');
    // The row still splits into exactly the table's eight cells on unescaped pipes.
    expect(rows[0]!.split(/(?<!\\)\|/).length - 2).toBe(8);
  });

  it('hides a key in the target URL', () => {
    const text = renderReportMarkdown(report({ target: { kind: 'remote', chainId: 42161, rpcUrl: 'https://rpc.example.com/v2/abcdefghijklmnopqrstuvwxyz012345' } }));
    expect(text).toContain('https://rpc.example.com/v2/***');
    expect(text).not.toContain('abcdefghijklmnop');
  });
});

describe('markdownTable', () => {
  it('escapes backslashes before pipes so an escape in the text cannot undo ours', () => {
    expect(escapeCell('a\\|b')).toBe('a\\\\\\|b');
    expect(escapeCell('x\r\ny\rz\nw')).toBe('x<br>y<br>z<br>w');
  });

  it('pads columns and right-aligns numeric ones', () => {
    expect(markdownTable([{ title: 'Name' }, { title: 'N', align: 'right' }], [['ab', '1'], ['c', '10']])).toBe(
      ['| Name |   N |', '| ---- | --: |', '| ab   |   1 |', '| c    |  10 |'].join('\n'),
    );
  });
});
