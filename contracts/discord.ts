/**
 * What the Discord functions and the infrastructure agree on (pure constants: `infra/` imports this at
 * synth time).
 */

/** EventBridge `source` and `detail-type` of the jobs the interactions function puts on the bot's bus. */
export const DISCORD_EVENT_SOURCE = 'kass.discord';
export const DISCORD_EVENT_DETAIL_TYPE = 'Discord interaction';

/** The interactions route (REST resource path) and the operation name that marks it in templates. */
export const INTERACTIONS_PATH = 'interactions';
export const INTERACTIONS_OPERATION = 'DiscordInteractions';
