// Lists orders; answers both the REST API (payload 1.0) and the HTTP API (payload 2.0).
export async function handler(event) {
  const user = event.requestContext.authorizer?.principalId ?? 'anonymous'
  return {
    statusCode: 200,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ table: process.env.TABLE_NAME, user, orders: [{ id: 1, item: 'book' }] })
  }
}
