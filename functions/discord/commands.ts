/**
 * The application commands KASS registers (`kass discord register`) and answers (the interactions function):
 * one definition serves both.
 */

/** Application command types (Discord API). */
export const CommandType = { chatInput: 1, user: 2, message: 3 } as const;
/** Application command option types used here. */
export const OptionType = { string: 3, boolean: 5 } as const;

/** Discord's longest string option value. */
export const MAX_OPTION_CHARS = 6000;

export const ASK_COMMAND = 'ask';
export const ASK_MESSAGE_COMMAND = 'Ask KASS';
export const QUESTION_OPTION = 'question';
export const PRIVATE_OPTION = 'private';

/** Interaction context types: guild channels only (the bot serves the configured servers). */
const GUILD_ONLY = { integration_types: [0], contexts: [0] } as const;

export interface CommandOption {
  readonly type: number;
  readonly name: string;
  readonly description: string;
  readonly required?: boolean;
  readonly max_length?: number;
}

export interface CommandDefinition {
  readonly type: number;
  readonly name: string;
  readonly description: string;
  readonly options?: readonly CommandOption[];
  readonly integration_types: readonly number[];
  readonly contexts: readonly number[];
}

/** The commands, as `PUT /applications/{id}/commands` takes them (the call replaces the whole set). */
export const COMMANDS: readonly CommandDefinition[] = [
  {
    type: CommandType.chatInput,
    name: ASK_COMMAND,
    description: 'Ask the KASS assistant (answers from the team documents and tools)',
    options: [
      {
        type: OptionType.string,
        name: QUESTION_OPTION,
        description: 'Your question',
        required: true,
        max_length: MAX_OPTION_CHARS,
      },
      {
        type: OptionType.boolean,
        name: PRIVATE_OPTION,
        description: 'Only you see the answer',
        required: false,
      },
    ],
    ...GUILD_ONLY,
  },
  // Message commands have no description (Discord requires an empty one).
  { type: CommandType.message, name: ASK_MESSAGE_COMMAND, description: '', ...GUILD_ONLY },
];

/**
 * The `custom_id` of a confirmation button: `kass:confirm:<confirmation id>:<asker id>:<y|n>` (at most 72 of
 * Discord's 100 characters). The asker lets the interactions function turn other users away at once; the
 * worker still checks the owner of the confirmation.
 */
const CUSTOM_ID = /^kass:confirm:([0-9a-f-]{36}):(\d{17,20}):([yn])$/;

export interface ConfirmButton {
  readonly confirmationId: string;
  readonly askerId: string;
  readonly confirm: boolean;
}

export const confirmButtonId = (button: ConfirmButton): string =>
  `kass:confirm:${button.confirmationId}:${button.askerId}:${button.confirm ? 'y' : 'n'}`;

export function parseConfirmButtonId(customId: string): ConfirmButton | undefined {
  const match = CUSTOM_ID.exec(customId);
  if (!match) return undefined;
  const [, confirmationId = '', askerId = '', choice] = match;
  return { confirmationId, askerId, confirm: choice === 'y' };
}
