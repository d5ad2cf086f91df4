--[[
  Applies the effects of one Kafka partition batch, all or nothing, once.
  Uses writeRow from feature-row.lua.

  The partition's watermark is the fence: the caller read it before
  computing the batch and passes what it read; if another consumer (after a
  rebalance) or an earlier attempt has moved it since, nothing is written.
  Entities' write tokens (`_v`) guard the read-modify-write of state that
  consumers of other partitions also update (items). A write token is unique
  to the batch attempt that wrote it, not a counter: two different histories
  of an entity never carry the same token.

  KEYS[1]              watermark hash of the partition: offset, stream_time
  KEYS[2i], KEYS[2i+1] entity i's state hash and feature row (i = 1 .. E)
  KEYS[2E+2 .. ]       co-visitation sorted sets incremented by the batch

  ARGV[1]            watermark offset the caller read ('' when there was none)
  ARGV[2]            last offset of the batch (the new watermark)
  ARGV[3]            stream time after the batch, epoch ms
  ARGV[4]            E, the number of entities
  ARGV[5]            co-visitation TTL, ms
  ARGV[6]            most members a co-visitation set keeps (highest counts win)
  ARGV[7]            watermark TTL, ms (longer than the topic's retention)
  ARGV[8]            the write token this batch gives every entity it writes
  then per entity:   expected write token `_v` ('' when new), TTL ms (both keys),
                     H, then H state field/value pairs (`_s`, `_t:{view}`),
                     S, the segments of the entity's row,
                     W, then W segment (from 1)/JSON pairs to write
  then per co-visit: M, then M member/increment pairs

  Result: 1 applied; 0 the watermark moved (nothing written: reload and
  retry); -i entity i's write token moved (nothing written: reload and retry).
]]
local current = redis.call('HGET', KEYS[1], 'offset')
if (current or '') ~= ARGV[1] then return 0 end

local entities = tonumber(ARGV[4])
local a = 9
local plan = {}
for i = 1, entities do
  local token = redis.call('HGET', KEYS[2 * i], '_v')
  if (token or '') ~= ARGV[a] then return -i end
  local fields = tonumber(ARGV[a + 2])
  local rowAt = a + 3 + 2 * fields
  local written = tonumber(ARGV[rowAt + 1])
  plan[i] = { ttl = ARGV[a + 1], fieldsAt = a + 3, fields = fields, segments = tonumber(ARGV[rowAt]), writesAt = rowAt + 2, written = written }
  a = rowAt + 2 + 2 * written
end

for i = 1, entities do
  local p = plan[i]
  local state = { '_v', ARGV[8] }
  for f = 0, 2 * p.fields - 1 do state[3 + f] = ARGV[p.fieldsAt + f] end
  redis.call('HSET', KEYS[2 * i], unpack(state))
  redis.call('PEXPIRE', KEYS[2 * i], p.ttl)
  local updates = {}
  for w = 0, p.written - 1 do updates[tonumber(ARGV[p.writesAt + 2 * w])] = ARGV[p.writesAt + 2 * w + 1] end
  writeRow(KEYS[2 * i + 1], p.segments, updates, p.ttl)
end

local covisitTtl = tonumber(ARGV[5])
local keep = tonumber(ARGV[6])
for k = 2 + 2 * entities, #KEYS do
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
