import { LuaScript } from './lua-script.js'

/**
 * Token buckets (aws-semantics §8.1), all-or-none over KEYS, on Redis time
 * (`TIME`), so gateway clocks do not matter. Bucket value: "tokens:ms".
 * ARGV[1] = cost, then rate and burst per key. Returns
 * {allowed, remaining, retryAfterMs, blockedIndex}. A missing key is a full
 * bucket; keys expire once they would be full again.
 */
export const TOKEN_BUCKET = new LuaScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local cost = tonumber(ARGV[1])
local n = #KEYS
local tokens = {}
for i = 1, n do
  local rate = tonumber(ARGV[i * 2])
  local burst = tonumber(ARGV[i * 2 + 1])
  local tk = burst
  local v = redis.call('GET', KEYS[i])
  if v then
    local sep = string.find(v, ':', 1, true)
    local elapsed = now - tonumber(string.sub(v, sep + 1))
    if elapsed < 0 then elapsed = 0 end
    tk = tonumber(string.sub(v, 1, sep - 1)) + elapsed * rate / 1000
    if tk > burst then tk = burst end
  end
  if tk < cost then
    local retry = 0
    if burst >= cost then retry = math.ceil((cost - tk) * 1000 / rate) end
    return {0, math.floor(tk), retry, i - 1}
  end
  tokens[i] = tk
end
local remaining = -1
for i = 1, n do
  local rate = tonumber(ARGV[i * 2])
  local burst = tonumber(ARGV[i * 2 + 1])
  local tk = tokens[i] - cost
  if remaining < 0 or tk < remaining then remaining = tk end
  redis.call('SET', KEYS[i], string.format('%.6f:%.3f', tk, now), 'PX', math.ceil((burst - tk) * 1000 / rate) + 1000)
end
return {1, math.floor(remaining), 0, -1}
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
