-- Runs an Argo CD health check as Argo CD does: the object in the global `obj`, the script's
-- returned table is the health. Usage: lua5.4 health-harness.lua CHECK.lua OBJECT.lua, where
-- OBJECT.lua returns the object as a table. Prints {"status": ..., "message": ...} as JSON.
local function quote(text)
  local escaped = string.gsub(text, '[%c"\\]', function(character)
    return string.format("\\u%04x", string.byte(character))
  end)
  return '"' .. escaped .. '"'
end

obj = dofile(arg[2])
local health = dofile(arg[1])
if type(health) ~= "table" or type(health.status) ~= "string" then
  error("the health check returned no table with a status")
end
print("{\"status\": " .. quote(health.status) .. ", \"message\": " .. quote(tostring(health.message or "")) .. "}")
