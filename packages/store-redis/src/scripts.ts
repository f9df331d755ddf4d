import { LuaScript } from './lua-script.js'

// Milliseconds are counted from 2024-01-01 to keep the numbers small.
const EPOCH = 1_704_067_200

const NOW = `local t = redis.call('TIME')
local now = (t[1] - ${EPOCH}) * 1000 + t[2] / 1000`

/**
 * The GCRA step of one bucket (`key`, `interval` ms per token, `burst`):
 * sets `capacity`, `tat` (the bucket's state now), `new` (its state after
 * taking `cost`) and `over` (> 0: not enough tokens, by that many ms).
 */
const gcra = (key: string, interval: string, burst: string): string => `local capacity = ${burst} * ${interval}
local tat = redis.call('GET', ${key})
if not tat then tat = now else tat = tat + 0 if tat < now then tat = now end end
local new = tat + cost * ${interval}
local over = new - now - capacity`

/*
 * Token buckets (aws-semantics §8.1) as GCRA, on Redis time (`TIME`), so
 * gateway clocks do not matter. A bucket's one number of state is its
 * "theoretical arrival time" (TAT) in ms: a bucket with capacity `burst`
 * refilled every `interval` ms is empty when TAT - now = burst * interval and
 * full when TAT <= now, exactly a token bucket. A missing key is a full
 * bucket; the key expires when the bucket would be full again. Rates travel
 * as `interval` = 1000 / rate, computed once by the client.
 */

/**
 * One decision on one bucket, the common case, kept lean.
 * KEYS[1] bucket; ARGV cost, interval, burst. Returns the tokens left (an
 * integer) when allowed, `{remaining, retryAfterMs, 0}` when refused.
 */
export const TOKEN_BUCKET = new LuaScript(`
${NOW}
-- \`+ 0\` converts like tonumber() without a global function call (this script's cost is what a decision waits for)
local cost = ARGV[1] + 0
local interval = ARGV[2] + 0
local burst = ARGV[3] + 0
${gcra('KEYS[1]', 'interval', 'burst')}
if over > 1e-6 then
  local retry = 0
  if cost <= burst then retry = math.ceil(over) end
  return {math.floor((capacity - tat + now) / interval + 1e-6), retry, 0}
end
redis.call('SET', KEYS[1], new, 'PX', math.ceil(new - now) + 1)
return math.floor((capacity - new + now) / interval + 1e-6)
`)

/**
 * A batch of decisions, run in order (decisions made in the same tick share
 * one round trip; each still sees the state the previous one left). Each
 * decision takes `cost` tokens from every one of its `m` buckets or from none
 * (§8.1 all-or-none across levels).
 * KEYS: the buckets of every decision, in order.
 * ARGV: per decision `cost, m`, then `interval, burst` per bucket.
 * Returns per decision `remaining` (most restrictive bucket), `retryAfterMs`,
 * `blocked` (index of the refusing bucket, -1 when allowed).
 */
export const TOKEN_BUCKETS = new LuaScript(`
${NOW}
local out = {}
local n = 0
local k = 0
local a = 1
while a <= #ARGV do
  local cost = tonumber(ARGV[a])
  local m = tonumber(ARGV[a + 1])
  a = a + 2
  local remaining = -1
  local retry = 0
  local blocked = -1
  local news = {}
  for i = 1, m do
    if blocked < 0 then
      local interval = tonumber(ARGV[a])
      local burst = tonumber(ARGV[a + 1])
      ${gcra('KEYS[k + i]', 'interval', 'burst')}
      if over > 1e-6 then
        blocked = i - 1
        if cost <= burst then retry = math.ceil(over) end
        remaining = math.floor((capacity - tat + now) / interval + 1e-6)
      else
        news[i] = new
        local left = math.floor((capacity - new + now) / interval + 1e-6)
        if remaining < 0 or left < remaining then remaining = left end
      end
    end
    a = a + 2
  end
  if blocked < 0 then
    for i = 1, m do
      redis.call('SET', KEYS[k + i], news[i], 'PX', math.ceil(news[i] - now) + 1)
    end
  end
  k = k + m
  out[n + 1] = remaining
  out[n + 2] = retry
  out[n + 3] = blocked
  n = n + 3
end
return out
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
