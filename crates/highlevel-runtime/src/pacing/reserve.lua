-- One reservation in a fleet budget, atomically: the same sliding window as the in-process
-- budget (at most `max` attempts in any `interval`), kept in Redis so that every process
-- of a fleet shares it. Times are Redis's own clock, in milliseconds, so machines with
-- different clocks agree.
--
-- KEYS[1]  the window: a sorted set of reserved send times (score = ms)
-- KEYS[2]  the state: a hash of max, interval (ms), daily (left today), day_end (ms), seq,
--          reserved (reservations made so far: the ticket of the latest)
-- ARGV     default max, default interval, default daily, bound on max, bound on interval,
--          longest wait (ms), then what this process last heard from the server for this
--          budget (-1 where it heard nothing): how long ago (ms), max, interval, remaining,
--          daily remaining, and the ticket of the reservation whose answer said so
-- Returns  {0, wait, ticket}: reserved, send after `wait` ms; {1, wait, 0}: a slot frees only
--          after `wait` ms, longer than allowed, nothing reserved; {2, 0, 0}: the day's
--          allowance is used up.

local window, state = KEYS[1], KEYS[2]
local default_max, default_interval, default_daily = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local bound_max, bound_interval = tonumber(ARGV[4]), tonumber(ARGV[5])
local max_wait = tonumber(ARGV[6])
local age, seen_max, seen_interval = tonumber(ARGV[7]), tonumber(ARGV[8]), tonumber(ARGV[9])
local seen_remaining, seen_daily, ticket = tonumber(ARGV[10]), tonumber(ARGV[11]), tonumber(ARGV[12])

local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)

local saved = redis.call('HMGET', state, 'max', 'interval', 'daily', 'day_end', 'reserved')
local max = tonumber(saved[1]) or default_max
local interval = tonumber(saved[2]) or default_interval
local daily = tonumber(saved[3])
local day_end = tonumber(saved[4])
local reserved = tonumber(saved[5]) or 0
if daily == nil or day_end == nil or now >= day_end then
  daily = default_daily
  day_end = now + 86400000
end

-- The server's word, bounded (a hostile header must not make the window huge).
if seen_max > 0 then max = math.min(seen_max, bound_max) end
if seen_interval > 0 then interval = math.min(seen_interval, bound_interval) end

redis.call('ZREMRANGEBYSCORE', window, '-inf', now - interval)

local seq = redis.call('HINCRBY', state, 'seq', 1)
if age >= 0 and age < interval and ticket >= 0 then
  local seen_at = now - age
  if seen_remaining >= 0 then
    -- The server had counted `max - remaining` in its window when it answered. If ours holds
    -- fewer, even counting every reservation since (some of which may have arrived first),
    -- someone else spends this budget too: take their attempts as made then.
    local ours = redis.call('ZCOUNT', window, '(' .. (seen_at - interval), '+inf')
    local missing = math.min(max - seen_remaining, max) - ours
    for i = 1, missing do
      redis.call('ZADD', window, seen_at, seen_at .. ':' .. seq .. ':' .. i)
    end
  end
  if seen_daily >= 0 then
    -- Reservations made after the one this answers have spent some of what it reported
    -- (told apart by ticket, not by clock).
    daily = math.min(daily, seen_daily - math.max(reserved - ticket, 0))
  end
end

local function save()
  redis.call('HSET', state, 'max', max, 'interval', interval, 'daily', daily, 'day_end', day_end,
    'reserved', reserved)
  redis.call('PEXPIREAT', state, day_end)
end

if daily <= 0 then
  save()
  return {2, 0, 0}
end

-- A slot is free now, or when the max-th latest reservation leaves the window. The margin
-- (2 % of the interval, 50 to 250 ms) covers the time from reservation to arrival.
local at = now
local count = redis.call('ZCARD', window)
if count >= max then
  local nth = redis.call('ZRANGE', window, count - max, count - max, 'WITHSCORES')
  local margin = math.min(math.max(math.floor(interval / 50), 50), 250)
  at = math.max(now, tonumber(nth[2]) + interval + margin)
end
if at - now > max_wait then
  save()
  return {1, at - now, 0}
end

redis.call('ZADD', window, at, at .. ':' .. seq)
daily = daily - 1
reserved = reserved + 1
save()
local latest = redis.call('ZRANGE', window, -1, -1, 'WITHSCORES')
redis.call('PEXPIRE', window, math.max(tonumber(latest[2]), at) - now + interval + 1000)
return {0, at - now, reserved}
