// Interim copy of the contract (/work/wt/tasks/interface.md) until rollout-analysis's module is merged.
export interface AnalysisThresholds {
  minAgreement: number;
  maxErrorRate: number;
  maxLatencyP99Seconds: number;
  maxAccuracyDrop: number;
}
export interface RolloutStepWindow {
  namespace: string;
  registeredModel: string;
  championVersion: string;
  candidateVersion: string;
  step: 'shadow' | 'canary';
  since: Date;
  until: Date;
}
export interface AnalysisCheck {
  name: 'agreement' | 'errorRate' | 'latencyP99' | 'liveAccuracy' | 'estimatedAccuracy' | 'sequentialTest';
  value: number;
  threshold: number;
  samples: number;
  passed: boolean;
  message: string;
}
export interface StepAnalysis {
  requests: number;
  checks: AnalysisCheck[];
  failed: AnalysisCheck | undefined;
}
export interface RolloutAnalyzer {
  analyze(window: RolloutStepWindow, thresholds: AnalysisThresholds): Promise<StepAnalysis>;
}
