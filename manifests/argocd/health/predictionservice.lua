-- Argo CD health of a PredictionService (KServe's convention): Healthy when Ready is True;
-- Progressing while a track rolls out, while Ready is not reported yet, and while the operator has
-- not yet observed the latest generation; Suspended when scaled to zero replicas; Degraded when
-- Ready is False for any other reason (invalid spec, model version or alias not found).
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
local conditions = {}
for _, condition in ipairs(status.conditions or {}) do
  conditions[condition.type] = condition
end
local ready = conditions["Ready"]
if ready == nil then
  return hs
end
local detail = (ready.reason or "Unknown") .. ": " .. (ready.message or "")
local rollingOut = { PrimaryNotReady = true, CanaryNotReady = true }
if ready.status == "True" then
  hs.status = "Healthy"
elseif conditions["PrimaryReady"] ~= nil and conditions["PrimaryReady"].reason == "NoReplicas" then
  hs.status = "Suspended"
  detail = "NoReplicas: " .. (conditions["PrimaryReady"].message or "replicas is 0")
elseif ready.status == "False" and not rollingOut[ready.reason] then
  hs.status = "Degraded"
end
hs.message = detail
return hs
