import { LuaScript } from './lua-script.js'

// Milliseconds are counted from 2024-01-01 to keep the numbers small.
const EPOCH = 1_704_067_200

const NOW = `local t = redis.call('TIME')
local now = (t[1] - ${EPOCH}) * 1000 + t[2] / 1000
local cost = tonumber(ARGV[1])`

/**
 * One GCRA step for bucket i (KEYS[i], rate ARGV[ri], burst ARGV[ri + 1]):
 * sets `new` (the bucket's next TAT) or returns the refusal.
 */
const gcraStep = (i: string, ri: string): string => `
  local interval = 1000 / tonumber(ARGV[${ri}])
  local burst = tonumber(ARGV[${ri} + 1])
  local capacity = burst * interval
  local tat = tonumber(redis.call('GET', KEYS[${i}]) or 0)
  if tat < now then tat = now end
  local new = tat + cost * interval
  local over = new - now - capacity
  if over > 1e-6 then
    local retry = 0
    if cost <= burst then retry = math.ceil(over) end
    return {0, math.floor((capacity - tat + now) / interval + 1e-6), retry, ${i} - 1}
  end`

/**
 * One token bucket (aws-semantics §8.1) as GCRA, on Redis time (`TIME`), so
 * gateway clocks do not matter. The stored value is the bucket's
 * "theoretical arrival time" in ms: a bucket with capacity `burst` refilled at
 * `rate`/s is empty when TAT - now = burst/rate s, full when TAT <= now
 * (exactly a token bucket, with one number of state). A missing key is a full
 * bucket; the key expires when the bucket would be full again.
 * KEYS[1] bucket; ARGV cost, rate, burst. Returns {allowed, remaining, retryAfterMs, blockedIndex}.
 */
export const TOKEN_BUCKET_ONE = new LuaScript(`
${NOW}
do
${gcraStep('1', '2')}
  redis.call('SET', KEYS[1], new, 'PX', math.ceil(new - now) + 1)
  return {1, math.floor((capacity - new + now) / interval + 1e-6), 0, -1}
end
`)

/**
 * Several token buckets (GCRA as above), all-or-none over KEYS: tokens are
 * taken from every bucket only when every bucket has them (§8.1).
 * ARGV[1] = cost, then rate and burst per key. Returns
 * {allowed, remaining (most restrictive), retryAfterMs, blockedIndex}.
 */
export const TOKEN_BUCKET = new LuaScript(`
${NOW}
local news = {}
local remaining = -1
for i = 1, #KEYS do
${gcraStep('i', 'i * 2')}
  news[i] = new
  local left = math.floor((capacity - new + now) / interval + 1e-6)
  if remaining < 0 or left < remaining then remaining = left end
end
for i = 1, #KEYS do
  redis.call('SET', KEYS[i], news[i], 'PX', math.ceil(news[i] - now) + 1)
end
return {1, remaining, 0, -1}
`)

/**
 * Quota consumption (§8.2): KEYS[1] period counter, KEYS[2] day counter.
 * ARGV: limit, cost, period ttl ms, day ttl ms. Returns {allowed, used}.
 */
export const QUOTA_CONSUME = new LuaScript(`
local used = tonumber(redis.call('GET', KEYS[1]) or '0')
local cost = tonumber(ARGV[2])
if used + cost > tonumber(ARGV[1]) then return {0, used} end
used = redis.call('INCRBY', KEYS[1], cost)
redis.call('PEXPIRE', KEYS[1], ARGV[3])
redis.call('INCRBY', KEYS[2], cost)
redis.call('PEXPIRE', KEYS[2], ARGV[4])
return {1, used}
`)
