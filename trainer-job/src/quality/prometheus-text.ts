import type { LiveQuality } from '@prodclass/catalog/quality/live-quality';

/** A label value of the Prometheus text format: backslash, double quote and newline escaped. */
function labelValue(value: string): string {
  return value.replace(/[\\"\n]/g, (character) => (character === '\n' ? '\\n' : `\\${character}`));
}

interface Gauge {
  name: string;
  help: string;
  samples: (quality: LiveQuality) => [extraLabels: string, value: number | null][];
}

const gauges: Gauge[] = [
  {
    name: 'prodclass_live_accuracy',
    help: 'Share of the labeled predictions of the window whose predicted code is the label.',
    samples: (quality) => [['', quality.accuracy]],
  },
  {
    name: 'prodclass_estimated_accuracy',
    help: 'Accuracy estimated without labels: the mean calibrated confidence of the predictions served in the window.',
    samples: (quality) => [['', quality.estimatedAccuracy]],
  },
  {
    name: 'prodclass_live_weighted_f1',
    help: 'F1 per class weighted by labeled count, over the labeled predictions of the window.',
    samples: (quality) => [['', quality.weightedF1]],
  },
  {
    name: 'prodclass_label_coverage',
    help: 'Labeled predictions of the window over the predictions served in it.',
    samples: (quality) => [['', quality.coverage]],
  },
  {
    name: 'prodclass_labeled_predictions',
    help: 'Predictions of the window that have a label.',
    samples: (quality) => [['', quality.labeled]],
  },
  {
    name: 'prodclass_label_lag_p50_seconds',
    help: 'Median time from a prediction to its label, over the labeled predictions of the window.',
    samples: (quality) => [['', quality.labelLagP50Seconds]],
  },
  {
    name: 'prodclass_live_recall',
    help: 'Per labeled class: share of its labeled predictions predicted right.',
    samples: (quality) =>
      Object.entries(quality.recall).map(([code, recall]) => [`,prdtypecode="${labelValue(code)}"`, recall]),
  },
];

/**
 * The live-quality gauges in the Prometheus text exposition format, one series per model version
 * (and class, for recall), labeled `service` (`serviceOf` the registered model) and `model_version`.
 * A value that does not exist (accuracy without labels) has no sample.
 */
export function qualityExposition(versions: LiveQuality[], serviceOf: (modelName: string) => string): string {
  const lines: string[] = [];
  for (const gauge of gauges) {
    lines.push(`# HELP ${gauge.name} ${gauge.help}`, `# TYPE ${gauge.name} gauge`);
    for (const quality of versions) {
      const labels = `service="${labelValue(serviceOf(quality.modelName))}",model_version="${labelValue(quality.modelVersion)}"`;
      for (const [extra, value] of gauge.samples(quality)) {
        if (value !== null) lines.push(`${gauge.name}{${labels}${extra}} ${value}`);
      }
    }
  }
  return `${lines.join('\n')}\n`;
}
