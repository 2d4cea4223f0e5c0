import { powertools, powertoolsMetrics } from '../../contracts/powertools';

/** The tool Lambdas' Powertools (the house setup), at module scope so it is built once per cold start. */
const house = powertools('kass-tool');

export const logger = house.logger;

export const tracer = house.tracer;

export const metrics = powertoolsMetrics(house.serviceName);
