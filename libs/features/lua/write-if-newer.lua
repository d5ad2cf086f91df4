--[[
  Writes one feature view's values for one entity unless the stored values
  are newer: catalogue upserts and rebuilds never overwrite fresher state.

  KEYS[1]   entity hash
  ARGV[1]   feature view name (the hash field)
  ARGV[2]   event time of the values, epoch ms
  ARGV[3]   values, JSON
  ARGV[4]   TTL of the key, ms

  Result: 1 written; 0 skipped because the stored values are as new or newer.
]]
local timeField = '_t:' .. ARGV[1]
local stored = tonumber(redis.call('HGET', KEYS[1], timeField) or '-1')
if stored >= tonumber(ARGV[2]) then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3], timeField, ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return 1
