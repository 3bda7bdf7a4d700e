// The Jobs and Deployments the operator makes and the labels that mark them, for the local runner
// (stack/local-runner), which plays the kubelet and the Job and Deployment controllers for them.

export type { Job } from './jobs.js';
export type { Deployment } from './model-server.js';
export { labels, managedSelector } from './names.js';
