import { channel } from 'node:diagnostics_channel'

/** WebSocket metric names of aws-semantics §13.1. */
export type WebSocketMetric = 'ConnectCount' | 'MessageCount' | 'IntegrationError' | 'ClientError' | 'ExecutionError' | 'IntegrationLatency'

/**
 * `gw:websocket:metric` (@gw/core's `websocketMetricChannel`, @gw/metrics
 * subscribes): one datum `{ apiId, stage, route, metric, value }` per event.
 * Published only while someone subscribes: an unobserved gateway pays one
 * boolean read per event and allocates nothing.
 */
const metricChannel = channel('gw:websocket:metric')

/** Publishes one datum (1 for counts, milliseconds for IntegrationLatency). */
export function publishMetric(metric: WebSocketMetric, apiId: string, stage: string, route: string, value = 1): void {
  if (!metricChannel.hasSubscribers) return
  metricChannel.publish({ apiId, stage, route, metric, value })
}
