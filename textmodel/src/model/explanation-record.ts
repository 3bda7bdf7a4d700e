import { classByCode } from '../classes.js';
import type { ClassExplanation } from './text-classifier.js';

/** A class explanation as the model server and `prodclass model predict --explain` print it; the terms as they are. */
export function explanationRecord(explanation: ClassExplanation) {
  return {
    prdtypecode: explanation.classCode,
    category: classByCode(explanation.classCode)?.name ?? String(explanation.classCode),
    logit: explanation.logit,
    intercept: explanation.intercept,
    up: explanation.up,
    down: explanation.down,
    other_terms: { count: explanation.otherTerms, contribution: explanation.otherContribution },
  };
}
