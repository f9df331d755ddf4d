// Handlers of the shop service: each reads its configuration from the environment, as on AWS Lambda.
export async function hello() {
  return { statusCode: 200, body: JSON.stringify({ message: 'hello from shop', logLevel: process.env.LOG_LEVEL }) }
}

export async function orders(event) {
  const user = event.requestContext.authorizer?.principalId ?? 'anonymous'
  return { statusCode: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ table: process.env.TABLE_NAME, user, orders: [{ id: 1 }] }) }
}
