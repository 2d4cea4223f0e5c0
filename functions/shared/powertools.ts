import { powertools } from '../../contracts/powertools';

/**
 * The chat-API Lambdas' Powertools (the house setup), built once per cold start. Prompts and answers are
 * never logged: records carry ids, statuses, latencies and error kinds only.
 */
const house = powertools('kass-chat-api');

export const logger = house.logger;

export const tracer = house.tracer;
