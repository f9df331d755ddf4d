// A TOKEN authorizer: "Bearer allow" is allowed, "Bearer deny" gets an explicit Deny, anything else 401.
export async function handler(event) {
  const token = event.authorizationToken?.replace(/^Bearer /, '')
  if (token !== 'allow' && token !== 'deny') throw new Error('Unauthorized')
  return {
    principalId: 'alice',
    policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: token === 'allow' ? 'Allow' : 'Deny', Resource: event.methodArn }] }
  }
}
