-- Argo CD health of a DriftAcknowledgement (recorded once): Healthy once phase Recorded, Degraded when
-- phase Failed (with the Ready condition's reason and message: an unknown monitor or report),
-- Progressing otherwise, and while the operator has not yet observed the latest generation.
-- Lua 5.1 (Argo CD's gopher-lua).
local hs = { status = "Progressing", message = "Waiting for the operator" }
local status = obj.status
if status == nil then
  return hs
end
local generation = obj.metadata.generation
if generation ~= nil and (status.observedGeneration == nil or status.observedGeneration < generation) then
  hs.message = "Waiting for the operator to observe generation " .. generation
  return hs
end
local ready = nil
for _, condition in ipairs(status.conditions or {}) do
  if condition.type == "Ready" then
    ready = condition
  end
end
local detail = nil
if ready ~= nil then
  detail = (ready.reason or "Unknown") .. ": " .. (ready.message or "")
end
if status.phase == "Recorded" then
  hs.status = "Healthy"
  hs.message = detail or "Recorded"
elseif status.phase == "Failed" then
  hs.status = "Degraded"
  hs.message = detail or "Failed"
elseif detail ~= nil then
  hs.message = detail
end
return hs
