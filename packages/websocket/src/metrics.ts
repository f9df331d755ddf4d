import { websocketMetricChannel, type WebSocketMetricEvent, type WebSocketMetricName } from '@gw/core'

/**
 * Publishes one WebSocket datum of aws-semantics §13.1 (1 for the counts,
 * milliseconds for IntegrationLatency) on @gw/core's `websocketMetricChannel`
 * (@gw/metrics subscribes), only while someone listens: an unobserved
 * gateway pays one boolean read per event and allocates nothing.
 */
export function publishMetric(metric: WebSocketMetricName, apiId: string, stage: string, route: string, value = 1): void {
  if (!websocketMetricChannel.hasSubscribers) return
  const event: WebSocketMetricEvent = { apiId, stage, route, metric, value }
  websocketMetricChannel.publish(event)
}
