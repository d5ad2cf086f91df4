--[[
  Feature rows (src/rows.ts): an entity's feature view values, JSON, in the
  entity's view order, joined by U+001E; empty where a view has no value.
  Prepended to the scripts that read or write rows (src/scripts.ts), so the
  encoding has one Lua definition.
]]
local ROW_SEPARATOR = '\30'

-- The row's segments, exactly `count` of them ('' for those it lacks). `row` is false for a missing key.
local function splitRow(row, count)
  local segments = {}
  local start = 1
  for i = 1, count do
    if not row or start > #row + 1 then
      segments[i] = ''
    else
      local stop = string.find(row, ROW_SEPARATOR, start, true)
      if stop then
        segments[i] = string.sub(row, start, stop - 1)
        start = stop + 1
      else
        segments[i] = string.sub(row, start)
        start = #row + 2
      end
    end
  end
  return segments
end

-- Replaces segments of the row at `key` (`updates`: segment number from 1 -> JSON) and resets its TTL.
local function writeRow(key, count, updates, ttl)
  local segments = splitRow(redis.call('GET', key), count)
  for segment, values in pairs(updates) do segments[segment] = values end
  redis.call('SET', key, table.concat(segments, ROW_SEPARATOR), 'PX', ttl)
end
