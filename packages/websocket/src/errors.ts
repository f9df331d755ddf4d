import { defineError } from '@gw/core'

/** Error codes of @gw/websocket. */
export type WebSocketErrorCode = 'GW_WEBSOCKET_UNSUPPORTED' | 'GW_WEBSOCKET_GONE' | 'GW_WEBSOCKET_PAYLOAD_TOO_LARGE'

/** The definition asks for something this package cannot serve (an authorizer without `iam`, a Lambda with no handler). Raised at construction. */
export const WebSocketUnsupported = defineError('GW_WEBSOCKET_UNSUPPORTED', 'the WebSocket API needs an option that is not configured')
/** `postToConnection` / `deleteConnection` on a connection that is unknown or closed (AWS GoneException, §14.7). */
export const WebSocketGone = defineError('GW_WEBSOCKET_GONE', 'GoneException', 410)
/** `postToConnection` data over 128 KB (AWS PayloadTooLargeException, §14.7). */
export const WebSocketPayloadTooLarge = defineError('GW_WEBSOCKET_PAYLOAD_TOO_LARGE', 'PayloadTooLargeException', 413)
