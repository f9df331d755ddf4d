// An in-process Lambda handler (proxy payload format 1.0, aws-semantics §2.1/§2.3).
let next = 1

export async function handler(event) {
  let order
  try {
    order = JSON.parse(event.body ?? '{}')
  } catch {
    return { statusCode: 400, body: JSON.stringify({ message: 'body must be JSON' }) }
  }
  return {
    statusCode: 201,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ id: `order-${next++}`, ...order, stage: event.requestContext.stage })
  }
}
