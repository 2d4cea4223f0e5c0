import { type EnvSource, processEnv } from '../../contracts/env';
/** ANSI styling that switches itself off when the output is not a terminal or NO_COLOR is set. */
export interface Style {
  readonly enabled: boolean;
  dim(text: string): string;
  bold(text: string): string;
  red(text: string): string;
  yellow(text: string): string;
  green(text: string): string;
  cyan(text: string): string;
}

const wrap =
  (open: number, close: number) =>
  (text: string): string =>
    `\u001b[${open}m${text}\u001b[${close}m`;

const plain = (text: string): string => text;

/**
 * Colours only for a TTY, and never when NO_COLOR is set to a non-empty value (https://no-color.org).
 * @param stream the stream the styled text goes to (`process.stdout` has `isTTY`)
 */
export function styleFor(stream: { readonly isTTY?: boolean }, env: EnvSource = processEnv()): Style {
  const enabled = stream.isTTY === true && !env.NO_COLOR;
  if (!enabled) {
    return { enabled, dim: plain, bold: plain, red: plain, yellow: plain, green: plain, cyan: plain };
  }
  return {
    enabled,
    dim: wrap(2, 22),
    bold: wrap(1, 22),
    red: wrap(31, 39),
    yellow: wrap(33, 39),
    green: wrap(32, 39),
    cyan: wrap(36, 39),
  };
}
