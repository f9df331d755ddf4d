import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { compose, type Middleware } from '@gw/core'
import { expressAdapter } from '@gw/express'
import express from 'express'
import { describe, expect, it, onTestFinished } from 'vitest'
import { lambdaAuthorizer } from '@gw/authorizers'
import { call, localLambda } from './helpers.js'

describe('an authorizer guarding part of an existing Express app (@gw/express, fallthrough)', () => {
  it('§10.2 unauthorized requests get the gateway answer; authorized ones reach the Express route', async () => {
    const lambda = await localLambda((e) => ({
      principalId: 'u',
      policyDocument: { Statement: [{ Effect: e.authorizationToken === 'good' ? 'Allow' : 'Deny', Action: 'execute-api:Invoke', Resource: '*' }] }
    }))
    // After the authorizer allows, hand the request back to Express (ctx.noRoute + fallthrough).
    const passToHost: Middleware<object> = (ctx) => {
      ctx.noRoute = true
    }
    const app = express()
    app.use('/api', expressAdapter(compose<object>([lambdaAuthorizer({ invoke: lambda.invoke }), passToHost]), { fallthrough: true }))
    app.get('/api/items', (_req, res) => res.json({ from: 'express' }))
    const server: Server = await new Promise((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s))
    })
    onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())))
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`

    const ok = await call(`${url}/api/items`, { headers: { authorization: 'good' } })
    expect(ok.status).toBe(200)
    expect(ok.json).toEqual({ from: 'express' })
    const missing = await call(`${url}/api/items`)
    expect(missing.status).toBe(401)
    expect(missing.body).toBe('{"message":"Unauthorized"}')
    const denied = await call(`${url}/api/items`, { headers: { authorization: 'bad' } })
    expect(denied.status).toBe(403)
    expect(denied.body).toBe('{"Message":"User is not authorized to access this resource with an explicit deny"}')
    expect(lambda.events).toHaveLength(2)
  })
})
