--[[
  Applies the effects of one Kafka partition batch, all or nothing, once.

  The partition's watermark is the fence: the caller read it before
  computing the batch and passes what it read; if another consumer (after a
  rebalance) or an earlier attempt has moved it since, nothing is written.
  Entity versions guard the read-modify-write of state that consumers of
  other partitions also update (items). A version is a token unique to the
  batch attempt that wrote it, not a counter: two different histories of an
  entity never carry the same version.

  KEYS[1]            watermark hash of the partition: offset, stream_time
  KEYS[2 .. 1+E]     entity hashes written by the batch
  KEYS[2+E .. ]      co-visitation sorted sets incremented by the batch

  ARGV[1]            watermark offset the caller read ('' when there was none)
  ARGV[2]            last offset of the batch (the new watermark)
  ARGV[3]            stream time after the batch, epoch ms
  ARGV[4]            E, the number of entity hashes
  ARGV[5]            co-visitation TTL, ms
  ARGV[6]            most members a co-visitation set keeps (highest counts win)
  ARGV[7]            watermark TTL, ms (longer than the topic's retention)
  ARGV[8]            the version this batch gives every entity it writes
  then per entity:   expected `_v` ('' when new), TTL ms, F, then F field/value pairs
  then per co-visit: M, then M member/increment pairs

  Result: 1 applied; 0 the watermark moved (nothing written: reload and
  retry); -i entity i's version moved (nothing written: reload and retry).
]]
local current = redis.call('HGET', KEYS[1], 'offset')
if (current or '') ~= ARGV[1] then return 0 end

local entities = tonumber(ARGV[4])
local a = 9
local plan = {}
for i = 1, entities do
  local key = KEYS[1 + i]
  local expected = ARGV[a]
  local version = redis.call('HGET', key, '_v')
  if (version or '') ~= expected then return -i end
  local fields = tonumber(ARGV[a + 2])
  plan[i] = { a + 3, fields, tonumber(ARGV[a + 1]) }
  a = a + 3 + 2 * fields
end

for i = 1, entities do
  local key = KEYS[1 + i]
  local first, fields, ttl = plan[i][1], plan[i][2], plan[i][3]
  for f = 0, fields - 1 do
    redis.call('HSET', key, ARGV[first + 2 * f], ARGV[first + 2 * f + 1])
  end
  redis.call('HSET', key, '_v', ARGV[8])
  redis.call('PEXPIRE', key, ttl)
end

local covisitTtl = tonumber(ARGV[5])
local keep = tonumber(ARGV[6])
for k = 2 + entities, #KEYS do
  local members = tonumber(ARGV[a])
  for m = 0, members - 1 do
    redis.call('ZINCRBY', KEYS[k], ARGV[a + 1 + 2 * m + 1], ARGV[a + 1 + 2 * m])
  end
  a = a + 1 + 2 * members
  redis.call('ZREMRANGEBYRANK', KEYS[k], 0, -keep - 1)
  redis.call('PEXPIRE', KEYS[k], covisitTtl)
end

redis.call('HSET', KEYS[1], 'offset', ARGV[2], 'stream_time', ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[7])
return 1
