import type { ServerResponse } from 'node:http';
import { expect, test } from 'vitest';
import type { ResourceChange } from './cluster.js';
import { LiveStream } from './live.js';

/** A response that records what is written to it. */
function recorder(): ServerResponse & { text: string } {
  const response = {
    text: '',
    writeHead: () => response,
    write: (chunk: string) => {
      response.text += chunk;
      return true;
    },
    on: () => response,
    end: () => undefined,
  };
  return response as unknown as ServerResponse & { text: string };
}

const change = (name: string, phase: string): ResourceChange => ({
  event: 'modified',
  kind: 'TrainingRun',
  object: {
    apiVersion: 'mlops.prodclass.dev/v1alpha1',
    kind: 'TrainingRun',
    metadata: { name, namespace: 'ns' },
    spec: { dataVersion: 'latest', hyperparameters: { maxFeatures: 10, c: 1 } },
    status: { phase },
  } as ResourceChange['object'],
});

test('a page gets the changes after the one it was rendered with, then every new one, as rendered rows', () => {
  let publish: (change: ResourceChange) => void = () => {};
  const live = new LiveStream({
    subscribe: (subscriber) => {
      publish = subscriber;
      return () => {};
    },
  });
  publish(change('a', 'Running'));
  const renderedAt = live.lastId;
  publish(change('b', 'Succeeded'));
  const page = recorder();
  live.attach(page, renderedAt);
  publish(change('c', 'Failed'));
  const events = page.text
    .split('\n\n')
    .filter((block) => block.includes('event: resource'))
    .map((block) => JSON.parse(block.split('data: ')[1] ?? '{}'));
  expect(events.map((event) => event.key)).toEqual(['TrainingRun/b', 'TrainingRun/c']);
  expect(events[0].html).toContain('<span class="phase phase-succeeded">Succeeded</span>');
  expect(page.text).toMatch(/^retry: 3000\n\nid: 2\nevent: resource\n/);
  live.close();
});
