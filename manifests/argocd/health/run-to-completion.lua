-- Argo CD health of the kinds that run to completion once (DataIncrement, TrainingRun,
-- ModelPromotion, DriftAcknowledgement): Healthy once the phase is final and good (Succeeded;
-- Recorded for a DriftAcknowledgement), Degraded when phase Failed (with the Ready condition's
-- reason and message; a Progressive rollout stopped by its analysis too), Suspended while a
-- ModelPromotion waits for a person's approval (phase AwaitingApproval), Progressing otherwise (a
-- Progressive rollout's steps, phase Progressing, included), and while the operator has not yet
-- observed the latest generation. One file for the four argocd-cm keys. Lua 5.1 (Argo CD's gopher-lua).
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
if status.phase == "Succeeded" or status.phase == "Recorded" then
  hs.status = "Healthy"
  hs.message = detail or status.phase
elseif status.phase == "Failed" then
  hs.status = "Degraded"
  hs.message = detail or "Failed"
elseif status.phase == "AwaitingApproval" then
  hs.status = "Suspended"
  hs.message = detail or "AwaitingApproval"
elseif detail ~= nil then
  hs.message = detail
end
return hs
