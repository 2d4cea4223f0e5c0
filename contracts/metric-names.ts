/**
 * The custom CloudWatch metrics' namespace (Powertools EMF): the house construct sets POWERTOOLS_METRICS_NAMESPACE
 * to it, the dashboard and alarms read it. Pure data, for `infra/` and the functions alike.
 */
export const METRICS_NAMESPACE = 'KASS';
