--[[
  Writes one feature view's values for one entity unless the stored values
  are newer: catalogue upserts and rebuilds never overwrite fresher state.
  Uses splitRow/writeRow from feature-row.lua.

  KEYS[1]   entity state hash (holds `_t:{view}`)
  KEYS[2]   entity feature row
  ARGV[1]   feature view name
  ARGV[2]   event time of the values, epoch ms
  ARGV[3]   the view's segment in the row, from 1
  ARGV[4]   segments in the entity's row
  ARGV[5]   values, JSON
  ARGV[6]   TTL of both keys, ms

  Result: 1 written; 0 skipped because the stored values are as new or newer.
]]
local timeField = '_t:' .. ARGV[1]
local stored = tonumber(redis.call('HGET', KEYS[1], timeField) or '-1')
if stored >= tonumber(ARGV[2]) then return 0 end
redis.call('HSET', KEYS[1], timeField, ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[6])
writeRow(KEYS[2], tonumber(ARGV[4]), { [tonumber(ARGV[3])] = ARGV[5] }, ARGV[6])
return 1
