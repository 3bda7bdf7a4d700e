import fs from 'node:fs';
import { expect, test } from 'vitest';
import { podEmptyDirs } from './workloads.js';

test("env values naming an emptyDir's mount path get a directory of the pod's own, removed with it", () => {
  const spec = {
    containers: [],
    volumes: [
      { name: 'tmp', emptyDir: {} },
      { name: 'inference-log-spool', emptyDir: { sizeLimit: '80Mi' } },
    ],
  };
  const container = {
    name: 'model-server',
    volumeMounts: [
      { name: 'tmp', mountPath: '/tmp' },
      { name: 'inference-log-spool', mountPath: '/var/spool/inference-log' },
    ],
  };
  const env = { INFERENCE_LOG_SPOOL_DIR: '/var/spool/inference-log', MODEL_URI: 'models:/m/1' };
  const first = podEmptyDirs(spec, container, env);
  const second = podEmptyDirs(spec, container, env);
  const spool = first.env.INFERENCE_LOG_SPOOL_DIR as string;
  expect(spool).not.toBe('/var/spool/inference-log');
  expect(spool).not.toBe(second.env.INFERENCE_LOG_SPOOL_DIR);
  expect(fs.statSync(spool).isDirectory()).toBe(true);
  expect(first.env.MODEL_URI).toBe('models:/m/1');
  first.remove();
  second.remove();
  expect(fs.existsSync(spool)).toBe(false);
  // Nothing names one: nothing is made.
  expect(podEmptyDirs(spec, container, { MODEL_URI: 'x' }).env).toEqual({ MODEL_URI: 'x' });
});
