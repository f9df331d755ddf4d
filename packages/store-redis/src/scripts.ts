import { LuaScript } from './lua-script.js'

/**
 * Bucket state and Redis time are counted in ticks of 0.1 µs since
 * 2024-01-01 UTC: whole numbers (exact in a double until 2052), which Lua
 * formats with `%d` in a third of the time of a float's `%.17g` and Redis
 * stores int-encoded. Stored rounded to the tick, a bucket drifts by at most
 * 0.05 µs a decision.
 */
export const TICKS_PER_SECOND = 10_000_000
const TICKS_PER_MS = TICKS_PER_SECOND / 1000
const EPOCH = 1_704_067_200

const NOW = `local t = redis.call('TIME')
local now = (t[1] - ${EPOCH}) * ${TICKS_PER_SECOND} + t[2] * ${TICKS_PER_SECOND / 1_000_000}`

/** Lua: the ms until a bucket at TAT `tat` is full again, as a PX argument (truncating `+ 2` never expires it early). */
const expiresIn = (tat: string): string => `string.format('%d', (${tat} - now) / ${TICKS_PER_MS} + 2)`

/** Lua: a TAT as the integer Redis stores. */
const ticks = (tat: string): string => `string.format('%d', ${tat} + 0.5)`

/** Lua: whole tokens left in a bucket at TAT `tat` (one tick of tolerance for the rounding of stored TATs). */
const tokensLeft = (tat: string, interval: string): string => `math.floor((capacity - ${tat} + now + 1) / ${interval})`

/**
 * The GCRA step of one bucket (`key`, `interval` ticks per token, `burst`)
 * from its stored state `stored` (a string or false): sets `capacity`, `tat`
 * (the bucket's state now), `new` (its state after taking `cost`) and `over`
 * (> 1: not enough tokens, by that many ticks).
 */
const gcra = (stored: string, interval: string, burst: string): string => `local capacity = ${burst} * ${interval}
local tat = now
if ${stored} then tat = ${stored} + 0 if tat < now then tat = now end end
local new = tat + cost * ${interval}
local over = new - now - capacity`

/** Lua: the `retryAfterMs` of a refused decision (0 when the cost exceeds the burst: no wait will do). */
const retryAfter = (burst: string): string => `cost <= ${burst} and math.ceil(over / ${TICKS_PER_MS}) or 0`

/*
 * Token buckets (aws-semantics §8.1) as GCRA, on Redis time (`TIME`), so
 * gateway clocks do not matter. A bucket's one number of state is its
 * "theoretical arrival time" (TAT): a bucket with capacity `burst` refilled
 * every `interval` is empty when TAT - now = burst * interval and full when
 * TAT <= now, exactly a token bucket. A missing key is a full bucket; the
 * key expires when the bucket would be full again. Rates travel as
 * `interval` = ticks per token, computed once by the client.
 */

/**
 * One decision on one bucket, the common case, kept lean: it speculates that
 * the bucket is full (a client below its rate), so one `SET … GET` both
 * writes the state after this take and reads the state before it. When the
 * bucket was not full, the real decision is made from that state and written
 * (or, when refused, the state is put back): one write more than reading
 * first, on the less common path.
 * KEYS[1] bucket; ARGV cost, interval, burst. Returns the tokens left (an
 * integer) when allowed, `{remaining, retryAfterMs, 0}` when refused.
 */
export const TOKEN_BUCKET = new LuaScript(`
${NOW}
-- \`+ 0\` converts like tonumber() without a global function call (this script's cost is what a decision waits for)
local cost = ARGV[1] + 0
local interval = ARGV[2] + 0
local burst = ARGV[3] + 0
local stored = false
if cost <= burst then
  local step = cost * interval
  stored = redis.call('SET', KEYS[1], ${ticks('now + step')}, 'PX', string.format('%d', step / ${TICKS_PER_MS} + 2), 'GET')
  if not stored or stored + 0 <= now then return math.floor(burst - cost + 1e-9) end
else
  stored = redis.call('GET', KEYS[1])
end
${gcra('stored', 'interval', 'burst')}
if over > 1 then
  if stored and cost <= burst then redis.call('SET', KEYS[1], stored, 'PX', ${expiresIn('tat')}) end
  return {${tokensLeft('tat', 'interval')}, ${retryAfter('burst')}, 0}
end
redis.call('SET', KEYS[1], ${ticks('new')}, 'PX', ${expiresIn('new')})
return ${tokensLeft('new', 'interval')}
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
      local stored = redis.call('GET', KEYS[k + i])
      ${gcra('stored', 'interval', 'burst')}
      if over > 1 then
        blocked = i - 1
        retry = ${retryAfter('burst')}
        remaining = ${tokensLeft('tat', 'interval')}
      else
        news[i] = new
        local left = ${tokensLeft('new', 'interval')}
        if remaining < 0 or left < remaining then remaining = left end
      end
    end
    a = a + 2
  end
  if blocked < 0 then
    for i = 1, m do
      local new = news[i]
      redis.call('SET', KEYS[k + i], ${ticks('new')}, 'PX', ${expiresIn('new')})
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
local raw = redis.call('GET', KEYS[1])
local used = tonumber(raw or '0')
local fresh = raw and 0 or 1
local cost = tonumber(ARGV[2])
if used + cost > tonumber(ARGV[1]) then return {0, used, fresh} end
used = redis.call('INCRBY', KEYS[1], cost)
redis.call('PEXPIRE', KEYS[1], ARGV[3])
redis.call('INCRBY', KEYS[2], cost)
redis.call('PEXPIRE', KEYS[2], ARGV[4])
return {1, used, fresh}
`)

/**
 * A batch of quota consumptions (§8.2) run in order: decisions made in the
 * same tick share one round trip, and each sees the count the previous ones
 * left, so exactly `limit` requests pass under any concurrency. A batch
 * holds decisions of one owner only (its keys share the owner's hash tag:
 * one Cluster slot). A key is read once and written once per batch (the
 * last admitted decision's TTL wins, as it would one call at a time).
 * KEYS: per decision its period and day counters. ARGV: per decision
 * limit, cost, period ttl ms, day ttl ms.
 * Returns per decision `allowed, used, fresh` (fresh: the period key did not
 * exist before this decision, as QUOTA_CONSUME answers it).
 */
export const QUOTA_CONSUME_BATCH = new LuaScript(`
local counts = {}
local exists = {}
local periodTtl = {}
local periods = {}
local dayAdd = {}
local dayTtl = {}
local days = {}
local out = {}
local n = 0
for i = 1, #KEYS, 2 do
  local a = (i - 1) * 2
  local pk = KEYS[i]
  local used = counts[pk]
  if used == nil then
    local raw = redis.call('GET', pk)
    used = tonumber(raw or '0')
    counts[pk] = used
    exists[pk] = raw and true or false
  end
  local fresh = exists[pk] and 0 or 1
  local cost = tonumber(ARGV[a + 2])
  if used + cost > tonumber(ARGV[a + 1]) then
    out[n + 1] = 0
  else
    used = used + cost
    counts[pk] = used
    exists[pk] = true
    if periodTtl[pk] == nil then periods[#periods + 1] = pk end
    periodTtl[pk] = ARGV[a + 3]
    local dk = KEYS[i + 1]
    if dayAdd[dk] == nil then
      days[#days + 1] = dk
      dayAdd[dk] = 0
    end
    dayAdd[dk] = dayAdd[dk] + cost
    dayTtl[dk] = ARGV[a + 4]
    out[n + 1] = 1
  end
  out[n + 2] = used
  out[n + 3] = fresh
  n = n + 3
end
for _, pk in ipairs(periods) do
  redis.call('SET', pk, string.format('%d', counts[pk]), 'PX', periodTtl[pk])
end
for _, dk in ipairs(days) do
  redis.call('INCRBY', dk, dayAdd[dk])
  redis.call('PEXPIRE', dk, dayTtl[dk])
end
return out
`)

/**
 * Puts back what an outage hid from Redis (issue #15: an outage never refills a
 * quota): adds the requests this instance admitted locally (`ARGV[1]`) and
 * raises the period count to at least the last count this instance saw
 * (`ARGV[2]`), so a Redis that restarted empty never hands the quota out again.
 * KEYS: period, day. ARGV: delta, floor, period ttl ms, day ttl ms. Returns the count.
 */
export const QUOTA_RECONCILE = new LuaScript(`
local used = tonumber(redis.call('GET', KEYS[1]) or '0') + tonumber(ARGV[1])
local floor = tonumber(ARGV[2])
if used < floor then used = floor end
redis.call('SET', KEYS[1], used, 'PX', ARGV[3])
if tonumber(ARGV[1]) > 0 then
  redis.call('INCRBY', KEYS[2], ARGV[1])
  redis.call('PEXPIRE', KEYS[2], ARGV[4])
end
return used
`)
