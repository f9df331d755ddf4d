import { describe, expect, it } from 'vitest'
import { compose, GwError, type Middleware } from '@gw/core'
import type { GatewayContext } from '@gw/core'

const fakeCtx = {} as GatewayContext

describe('compose (onion, koa-compose semantics)', () => {
  it('runs middleware in onion order', async () => {
    const order: string[] = []
    const mw = (name: string): Middleware => async (_ctx, next) => {
      order.push(`${name}>`)
      await next()
      order.push(`<${name}`)
    }
    await compose([mw('a'), mw('b'), mw('c')])(fakeCtx, async () => {
      order.push('end')
    })
    expect(order).toEqual(['a>', 'b>', 'c>', 'end', '<c', '<b', '<a'])
  })

  it('rejects with GW_CORE_NEXT_TWICE when next() is called twice', async () => {
    const twice: Middleware = async (_ctx, next) => {
      await next()
      await next()
    }
    const err = await compose([twice, () => {}])(fakeCtx, async () => {}).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(GwError)
    expect((err as GwError).code).toBe('GW_CORE_NEXT_TWICE')
  })

  it('stops when a middleware does not call next()', async () => {
    let reached = false
    await compose([() => {}, () => { reached = true }])(fakeCtx, async () => {})
    expect(reached).toBe(false)
  })

  it('turns a synchronous throw into a rejection', async () => {
    const boom: Middleware = () => { throw new Error('boom') }
    await expect(compose([boom, () => {}])(fakeCtx, async () => {})).rejects.toThrow('boom')
  })
})
