import * as path from 'node:path';
import type { CliIo } from '../../cli/main';

/** The repository root: the working directory a captured CliIo has unless told otherwise. */
export const REPO_ROOT = path.join(__dirname, '../..');

/** An in-memory CliIo: `out()` and `err()` are what the command printed so far, per stream. */
export type CapturedIo = CliIo & { out: () => string; err: () => string };

/** Properties that make a stream look like a terminal, e.g. `{ isTTY: true }` for colours. */
export interface TerminalProps {
  readonly isTTY?: boolean;
  readonly columns?: number;
}

/**
 * An in-memory CliIo whose relative paths resolve against `cwd`; `terminal` gives stdout and/or stderr
 * terminal properties (none by default: plain output).
 */
export function captureIo(
  cwd: string = REPO_ROOT,
  terminal: { readonly stdout?: TerminalProps; readonly stderr?: TerminalProps } = {},
): CapturedIo {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return {
    cwd,
    stdout: { write: (text: string) => stdout.push(text), ...terminal.stdout },
    stderr: { write: (text: string) => stderr.push(text), ...terminal.stderr },
    out: () => stdout.join(''),
    err: () => stderr.join(''),
  };
}
