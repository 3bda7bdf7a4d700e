-- Argo CD health of a RetrainSchedule (runs forever, like a CronJob): Progressing until the operator
-- has observed the latest generation, Degraded when its Ready condition is False (an invalid spec)
-- or when the latest finished tick failed and none is running, Suspended while spec.suspend is
-- true, Healthy otherwise, including while a tick runs. Lua 5.1 (Argo CD's gopher-lua).
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
if ready == nil then
  return hs
end
local detail = (ready.reason or "Unknown") .. ": " .. (ready.message or "")
if ready.status == "False" then
  hs.status = "Degraded"
  hs.message = detail
  return hs
end
if obj.spec.suspend == true then
  hs.status = "Suspended"
  hs.message = detail
  return hs
end
local latest = (status.recent or {})[1]
local active = status.active or {}
if latest ~= nil and latest.result == "Failed" and #active == 0 then
  hs.status = "Degraded"
  hs.message = "The latest tick failed: TrainingRun " .. (latest.trainingRun or "?")
  return hs
end
hs.status = "Healthy"
if #active > 0 then
  hs.message = "Running: TrainingRun " .. (active[#active].trainingRun or "?") .. "; " .. detail
else
  hs.message = detail
end
return hs
