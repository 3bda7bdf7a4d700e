export interface ClassMetrics {
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

/** Scores of predictions against true labels, with scikit-learn's definitions (zero_division = 0). */
export interface ClassificationMetrics {
  accuracy: number;
  precision_macro: number;
  recall_macro: number;
  f1_macro: number;
  precision_weighted: number;
  recall_weighted: number;
  f1_weighted: number;
  support: number;
  /** Every class seen in the true or predicted labels, ascending: the order of the confusion matrix. */
  labels: number[];
  per_class: Record<string, ClassMetrics>;
  /** confusion_matrix[true][predicted], in `labels` order. */
  confusion_matrix: number[][];
}

function ratio(numerator: number, denominator: number): number {
  return denominator === 0 ? 0 : numerator / denominator;
}

export function classificationMetrics(
  trueLabels: readonly number[],
  predictedLabels: readonly number[],
): ClassificationMetrics {
  if (trueLabels.length !== predictedLabels.length) {
    throw new Error(`${trueLabels.length} true labels but ${predictedLabels.length} predictions`);
  }
  if (trueLabels.length === 0) throw new Error('no labels to score');
  const labels = [...new Set([...trueLabels, ...predictedLabels])].sort((a, b) => a - b);
  const position = new Map(labels.map((label, index) => [label, index]));
  const confusion = labels.map(() => new Array<number>(labels.length).fill(0));
  trueLabels.forEach((label, row) => {
    const truth = confusion[position.get(label) as number] as number[];
    const predicted = position.get(predictedLabels[row] as number) as number;
    truth[predicted] = (truth[predicted] as number) + 1;
  });

  const perClass: Record<string, ClassMetrics> = {};
  let correct = 0;
  const sums = { precision: 0, recall: 0, f1: 0, weightedPrecision: 0, weightedRecall: 0, weightedF1: 0 };
  labels.forEach((label, index) => {
    const truePositives = (confusion[index] as number[])[index] as number;
    const support = (confusion[index] as number[]).reduce((sum, count) => sum + count, 0);
    const predicted = confusion.reduce((sum, row) => sum + (row[index] as number), 0);
    const precision = ratio(truePositives, predicted);
    const recall = ratio(truePositives, support);
    const f1 = ratio(2 * truePositives, support + predicted);
    perClass[String(label)] = { precision, recall, f1, support };
    correct += truePositives;
    sums.precision += precision;
    sums.recall += recall;
    sums.f1 += f1;
    sums.weightedPrecision += precision * support;
    sums.weightedRecall += recall * support;
    sums.weightedF1 += f1 * support;
  });
  const total = trueLabels.length;
  return {
    accuracy: correct / total,
    precision_macro: sums.precision / labels.length,
    recall_macro: sums.recall / labels.length,
    f1_macro: sums.f1 / labels.length,
    precision_weighted: sums.weightedPrecision / total,
    recall_weighted: sums.weightedRecall / total,
    f1_weighted: sums.weightedF1 / total,
    support: total,
    labels,
    per_class: perClass,
    confusion_matrix: confusion,
  };
}

/**
 * A text report laid out like scikit-learn's classification_report: one line per class, then
 * accuracy, macro and weighted averages. `nameOf` adds a readable name after each code.
 */
export function classificationReport(
  metrics: ClassificationMetrics,
  nameOf: (label: number) => string | undefined = () => undefined,
): string {
  const rowNames = metrics.labels.map((label) => {
    const name = nameOf(label);
    return name ? `${label} ${name}` : String(label);
  });
  const width = Math.max(12, ...rowNames.map((name) => name.length));
  const number = (value: number) => value.toFixed(2).padStart(9);
  const count = (value: number) => String(value).padStart(9);
  const line = (name: string, cells: string) => `${name.padStart(width)} ${cells}`;
  const lines = [
    line(
      '',
      `${'precision'.padStart(9)}${'recall'.padStart(9)}${'f1-score'.padStart(9)}${'support'.padStart(9)}`,
    ),
    '',
  ];
  metrics.labels.forEach((label, index) => {
    const scores = metrics.per_class[String(label)] as ClassMetrics;
    lines.push(
      line(
        rowNames[index] as string,
        `${number(scores.precision)}${number(scores.recall)}${number(scores.f1)}${count(scores.support)}`,
      ),
    );
  });
  lines.push(
    '',
    line('accuracy', `${''.padStart(18)}${number(metrics.accuracy)}${count(metrics.support)}`),
    line(
      'macro avg',
      `${number(metrics.precision_macro)}${number(metrics.recall_macro)}${number(metrics.f1_macro)}${count(metrics.support)}`,
    ),
    line(
      'weighted avg',
      `${number(metrics.precision_weighted)}${number(metrics.recall_weighted)}${number(metrics.f1_weighted)}${count(metrics.support)}`,
    ),
  );
  return `${lines.join('\n')}\n`;
}
