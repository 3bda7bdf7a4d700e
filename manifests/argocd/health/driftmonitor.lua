-- Argo CD health of a DriftMonitor (a recurring check): Healthy while its latest check found no
-- drift (OK or WARNING) or too little data to judge; Degraded when it found drift (ALERT or
-- CRITICAL, with the tests that found it) or cannot check (invalid spec, PredictionService not
-- found, check failed); Progressing before the first check, while the PredictionService it watches
-- serves no version yet, and while the operator has not yet observed the latest generation.
-- Lua 5.1 (Argo CD's gopher-lua).
local hs = { status = "Progressing", message = "Waiting for the first check" }
local status = obj.status
if status == nil then
  return hs
end
local generation = obj.metadata.generation
if generation ~= nil and (status.observedGeneration == nil or status.observedGeneration < generation) then
  hs.message = "Waiting for the operator to observe generation " .. generation
  return hs
end
local conditions = {}
for _, condition in ipairs(status.conditions or {}) do
  conditions[condition.type] = condition
end
local ready = conditions["Ready"]
if ready == nil then
  return hs
end
local detail = (ready.reason or "Unknown") .. ": " .. (ready.message or "")
local drifted = conditions["Drifted"]
if ready.status == "False" then
  if ready.reason ~= "NoServedVersion" then
    hs.status = "Degraded"
  end
elseif drifted ~= nil and drifted.status == "True" then
  hs.status = "Degraded"
  detail = (drifted.reason or "DriftDetected") .. ": " .. (drifted.message or "")
else
  hs.status = "Healthy"
end
hs.message = detail
return hs
