import { generateSyntheticCatalog } from '@prodclass/catalog/synthetic/generator';
import { describe, expect, it } from 'vitest';
import { defaultTfidfSettings } from '../features/tfidf-vectorizer.js';
import { defaultTextSettings } from '../text/product-text.js';
import { defaultLogisticRegressionSettings } from './logistic-regression.js';
import { type ClassExplanation, TextClassifier } from './text-classifier.js';

const catalog = [...generateSyntheticCatalog({ rows: 1_500, seed: 7 })];
const unseen = [...generateSyntheticCatalog({ rows: 200, seed: 8 })];

async function fitted(designationRepeats: number): Promise<TextClassifier> {
  const { classifier } = await TextClassifier.fit(catalog, {
    text: { ...defaultTextSettings, designationRepeats },
    tfidf: defaultTfidfSettings,
    logisticRegression: { ...defaultLogisticRegressionSettings, maxIter: 30 },
    seed: 1,
  });
  return classifier;
}

/** The logit of `classCode` from the batch transform's row, summed by hand: no code shared with explainTopK. */
function logitOf(classifier: TextClassifier, product: (typeof unseen)[number], classCode: number): number {
  const matrix = classifier.transform([product]);
  const { coef, intercept, classes } = classifier.state.logisticRegression;
  const classIndex = classes.indexOf(classCode);
  let logit = intercept[classIndex] as number;
  for (let entry = 0; entry < (matrix.indptr[1] as number); entry++) {
    logit +=
      (matrix.values[entry] as number) *
      (coef[(matrix.indices[entry] as number) * classes.length + classIndex] as number);
  }
  return logit;
}

function termSum(explanation: ClassExplanation): number {
  let sum = explanation.intercept + explanation.otherContribution;
  for (const term of [...explanation.up, ...explanation.down]) sum += term.contribution;
  return sum;
}

describe('TextClassifier.explainTopK', async () => {
  const classifier = await fitted(1);

  it('takes the predicted class and the runner-up apart exactly: intercept + contributions = logit', () => {
    const columnOf = new Map(classifier.state.tfidf.vocabulary.map((feature, column) => [feature, column]));
    for (const terms of [0, 1, 5, 20, 10_000]) {
      const explained = classifier.explainTopK(unseen, 5, terms);
      expect(explained.map(({ ranked }) => ranked)).toEqual(classifier.predictTopK(unseen, 5));
      unseen.forEach((product, index) => {
        const { ranked, explanations } = explained[index] as (typeof explained)[number];
        expect(explanations.map(({ classCode }) => classCode)).toEqual(
          ranked.slice(0, 2).map((c) => c.classCode),
        );
        for (const explanation of explanations) {
          expect(Math.abs(termSum(explanation) - explanation.logit)).toBeLessThan(1e-9);
          expect(
            Math.abs(explanation.logit - logitOf(classifier, product, explanation.classCode)),
          ).toBeLessThan(1e-9);
          for (const term of [...explanation.up, ...explanation.down]) {
            const column = columnOf.get(term.feature) as number;
            expect(term.contribution).toBe(
              (classifier.state.logisticRegression.coef[
                column * classifier.classes.length + classifier.classes.indexOf(explanation.classCode)
              ] as number) * term.tfidf,
            );
          }
        }
        const [best, second] = explanations as [ClassExplanation, ClassExplanation];
        const [p1, p2] = ranked as [{ probability: number }, { probability: number }];
        expect(Math.abs(best.logit - second.logit - Math.log(p1.probability / p2.probability))).toBeLessThan(
          1e-9,
        );
      });
    }
  });

  it('lists at most k terms each way, largest first, positive up and negative down', () => {
    for (const { explanations } of classifier.explainTopK(unseen.slice(0, 50), 5, 3)) {
      // A feature listed for both classes reads the same, and each term reads as its feature.
      const termOf = new Map<string, string>();
      for (const { feature, term } of explanations.flatMap(({ up, down }) => [...up, ...down])) {
        expect(termOf.get(feature) ?? term).toBe(term);
        termOf.set(feature, term);
        expect(term.toLowerCase().normalize('NFD').replace(/\p{M}/gu, '')).toContain(feature.split(' ')[0]);
      }
      for (const { up, down, otherTerms } of explanations) {
        expect(up.length).toBeLessThanOrEqual(3);
        expect(down.length).toBeLessThanOrEqual(3);
        expect(up.every((term) => term.contribution > 0)).toBe(true);
        expect(down.every((term) => term.contribution < 0)).toBe(true);
        const ups = up.map((term) => term.contribution);
        const downs = down.map((term) => term.contribution);
        expect(ups).toEqual([...ups].sort((a, b) => b - a));
        expect(downs).toEqual([...downs].sort((a, b) => a - b));
        expect(otherTerms).toBeGreaterThanOrEqual(0);
      }
    }
  });

  it('names a term as the listing wrote it: case, accents and dropped stop words kept', async () => {
    const product = {
      designation: 'PISCINE  Tubulaire, MAISONS du Monde',
      description: '<b>Piscine</b> l&#39;&Eacute;chelle suspension',
    };
    const repeated = await fitted(2);
    for (const model of [classifier, repeated]) {
      const [{ explanations }] = model.explainTopK([product], 5, 10_000) as [
        { explanations: ClassExplanation[] },
      ];
      const terms = new Map(
        explanations.flatMap(({ up, down }) => [...up, ...down]).map((t) => [t.feature, t.term]),
      );
      expect(terms.get('piscine')).toBe('PISCINE');
      expect(terms.get('maisons monde')).toBe('MAISONS du Monde');
      expect(terms.get('echelle')).toBe('Échelle');
      // Across fields: the designation's last word and the description's first, each as written.
      if (terms.has('monde piscine')) expect(terms.get('monde piscine')).toBe('Monde Piscine');
      for (const [feature, term] of terms) {
        expect(term.toLowerCase().normalize('NFD').replace(/\p{M}/gu, '')).toContain(feature.split(' ')[0]);
      }
    }
  });
});
