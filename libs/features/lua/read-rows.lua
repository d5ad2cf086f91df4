#!lua flags=no-writes,allow-cross-slot-keys
--[[
  The feature rows of one Redis Cluster node's share of an online read: a
  GET of each key, as an MGET would (an MGET may only name one slot's keys).
  Only KEYS[1] is declared, so that the cluster routes the call to its node;
  the rest may lie in any slot of that node (allow-cross-slot-keys), and
  Redis refuses the call if one does not lie on it.
  KEYS[1]  a feature row
  ARGV     more feature rows, on the node that serves KEYS[1]
  Result:  { row or false for KEYS[1], then for each ARGV in order }
]]
local rows = { redis.call('GET', KEYS[1]) }
for i = 1, #ARGV do rows[i + 1] = redis.call('GET', ARGV[i]) end
return rows
