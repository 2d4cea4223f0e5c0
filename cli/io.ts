/** Where a command reads and writes. Tests pass their own streams and working directory. */
export interface CliIo {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
  /** Relative paths given on the command line resolve against this directory. */
  readonly cwd: string;
}
