import { classByCode } from '../classes.js';
import type { ClassExplanation, ExplainedTerm } from './text-classifier.js';

function termRecord({ term, feature, tfidf, weight, contribution }: ExplainedTerm) {
  return { term, feature, tfidf, weight, contribution };
}

/** A class explanation as the model server and `prodclass model predict --explain` print it. */
export function explanationRecord(explanation: ClassExplanation) {
  return {
    prdtypecode: explanation.classCode,
    category: classByCode(explanation.classCode)?.name ?? String(explanation.classCode),
    logit: explanation.logit,
    intercept: explanation.intercept,
    up: explanation.up.map(termRecord),
    down: explanation.down.map(termRecord),
    other_terms: { count: explanation.otherTerms, contribution: explanation.otherContribution },
  };
}
