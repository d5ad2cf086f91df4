--[[
  One round trip for what serving reads before it can recall: the user's
  feature row, and the co-visitation lists of the user's latest items
  (user_sequence, oldest first) as the next read would need them.
  KEYS[1]  the user's feature row
  ARGV[1]  the co-visitation key prefix (the item id follows it)
  ARGV[2]  the user row's segment count, ARGV[3] user_sequence's segment (from 1)
  ARGV[4]  seeds: how many of the latest items, ARGV[5] entries per list
  Result:  { row or false, seed, { item, count, item, count, ... }, seed, { ... }, ... }
  Co-visitation keys are derived here, not declared: this script needs a
  standalone Redis, like the rest of the online store.
]]
local row = redis.call('GET', KEYS[1])
local result = { row }
if not row then return result end
local sequence = splitRow(row, tonumber(ARGV[2]))[tonumber(ARGV[3])]
if sequence == '' then return result end
local items = cjson.decode(sequence).items or {}
local seeds = tonumber(ARGV[4])
for i = math.max(1, #items - seeds + 1), #items do
  local seed = items[i].item_id
  result[#result + 1] = seed
  result[#result + 1] = redis.call('ZRANGE', ARGV[1] .. seed, 0, tonumber(ARGV[5]) - 1, 'REV', 'WITHSCORES')
end
return result
