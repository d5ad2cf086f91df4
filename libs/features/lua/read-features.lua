--[[
  Reads the online features of one user and many items in one call: one
  reply instead of one per key, which is what keeps a 200-item read fast.

  KEYS[1]          the user hash
  KEYS[2 .. ]      the item hashes, in request order
  ARGV[1]          U, the number of user view fields
  ARGV[2 .. 1+U]   the user view fields
  ARGV[2+U .. ]    the item view fields

  Result: { user values, item 1 values, ... }, each the HMGET reply of its
  fields (nil where absent).
]]
local userCount = tonumber(ARGV[1])
local userFields = {}
for i = 1, userCount do userFields[i] = ARGV[1 + i] end
local itemFields = {}
for i = 2 + userCount, #ARGV do itemFields[#itemFields + 1] = ARGV[i] end

local result = { redis.call('HMGET', KEYS[1], unpack(userFields)) }
for k = 2, #KEYS do
  result[k] = redis.call('HMGET', KEYS[k], unpack(itemFields))
end
return result
