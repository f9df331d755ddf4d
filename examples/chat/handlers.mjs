// The chat room's Lambdas (aws-semantics §14.3, §14.5, §14.6), in-process. The room is this module's Set: on
// several `gw serve` instances keep it in Redis instead; postToConnection reaches every instance through the
// store either way (§14.7).
import { postToConnection } from '@gw/websocket'

const room = new Set()

export const connect = async (event) => {
  // ?name=alice on the URL (query strings exist only on $connect)
  room.add(event.requestContext.connectionId)
  return { statusCode: 200 }
}

export const disconnect = async (event) => {
  room.delete(event.requestContext.connectionId)
  return { statusCode: 200 }
}

export const sendMessage = async (event) => {
  const { text } = JSON.parse(event.body)
  const from = event.requestContext.connectionId
  const message = JSON.stringify({ from, text })
  // Fan out; a connection that went away answers GoneException (410): drop it from the room.
  await Promise.all([...room].map((id) => postToConnection(id, message).catch(() => room.delete(id))))
  return { statusCode: 200 }
}

export const whoami = async (event) => ({ statusCode: 200, body: JSON.stringify({ connectionId: event.requestContext.connectionId, members: room.size }) })
