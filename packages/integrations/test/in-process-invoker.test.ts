import { describe, expect, it } from 'vitest'
import { inProcessInvoker, type InvokeResult } from '@gw/integrations'

const never = (): Promise<unknown> => new Promise(() => undefined)

describe('in-process invoker: shared timeout queue and flat answers', () => {
  it('each invocation times out after its own timeoutMs, measured from its start; answers in between are not held up', async () => {
    const invoke = inProcessInvoker({ slow: never, fast: () => Promise.resolve({ statusCode: 200 }) }, 'us-east-1')
    const slow = invoke('slow')
    const fast = invoke('fast')
    if (slow === undefined || fast === undefined) throw new Error('no handler')
    const t0 = performance.now()
    const first = slow('slow', {}, 120).then((r) => [r, performance.now() - t0] as const)
    await new Promise((r) => setTimeout(r, 60))
    expect((await fast('fast', {}, 120)).kind).toBe('ok')
    const second = slow('slow', {}, 120).then((r) => [r, performance.now() - t0] as const)
    const [[r1, at1], [r2, at2]] = await Promise.all([first, second])
    expect(r1).toEqual({ kind: 'timeout' })
    expect(r2).toEqual({ kind: 'timeout' })
    expect(at1).toBeGreaterThanOrEqual(115)
    expect(at1).toBeLessThan(at2)
    expect(at2).toBeGreaterThanOrEqual(175)
  })

  it('a flat object answer comes with value, equal to JSON.parse(payload); anything else only as payload', async () => {
    const answers: unknown[] = [{ statusCode: 201, body: 'hi', isBase64Encoded: false, n: -0, gone: undefined, x: null }, { statusCode: 200, headers: { a: 'b' } }, { n: Number.NaN }, [1], 'text', undefined]
    let i = 0
    const invoke = inProcessInvoker({ fn: () => Promise.resolve(answers[i++]) }, 'us-east-1')('fn')
    if (invoke === undefined) throw new Error('no handler')
    const results: InvokeResult[] = []
    for (let k = 0; k < answers.length; k++) results.push(await invoke('fn', {}, 1000))
    for (const [k, r] of results.entries()) {
      if (r.kind !== 'ok') throw new Error(r.kind)
      expect(r.payload).toBe(answers[k] === undefined ? 'null' : JSON.stringify(answers[k]))
      if (k === 0) expect(r.value).toStrictEqual(JSON.parse(r.payload))
      else expect(r.value).toBeUndefined()
    }
  })
})
