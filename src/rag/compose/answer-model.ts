/**
 * The answer model: logistic regressions fitted on labelled question sets by src/measure/fit-answers.ts and stored
 * beside this file (answer-model.json), never tuned by hand. The sentence model scores how likely an evidence
 * sentence states the answer. Whether the answer composed from the best of them is right is two questions, each
 * its own regression over the same features: does the corpus hold what the question is about (the `about` model,
 * fitted on answerable questions against those whose document is not in the corpus), and does the answer state
 * what is asked (the `stated` model, fitted against questions written beside a document that does not answer
 * them). Their product is the probability that the answer is right; the question is refused below the threshold
 * that the stated cost of a wrong answer sets.
 */
import modelFile from './answer-model.json' with { type: 'json' };
import { SENTENCE_FEATURES, type Candidate, type SentenceFeature } from './features.js';

/** What decides answer or refuse, from the composed answer (its sentences) and the question. */
export const ANSWER_FEATURES = [
  'bestDense',
  'supportSoftCoverage',
  'missingWeight',
  'missingShare',
  'documentCoverage',
  'typeMatch',
  'typeMissing',
  'typeNear',
  'moneyMissing',
  'negationMismatch',
  'withholds',
  'sentences',
] as const;
export type AnswerFeature = (typeof ANSWER_FEATURES)[number];

/** A fitted logistic regression: features standardised by the fit set's mean and scale, then weighted. */
export interface LogisticModel<F extends string = string> {
  features: F[];
  mean: number[];
  scale: number[];
  weights: number[];
  bias: number;
}

export interface AnswerModelFile {
  sentence: LogisticModel<SentenceFeature>;
  /** Whether the corpus holds what the question is about: a question from a missing document matches it only in part. */
  about: LogisticModel<AnswerFeature>;
  /** Whether the answer states what is asked: the article is there, but may not give the name, figure or date asked for. */
  stated: LogisticModel<AnswerFeature>;
  /** The answer is given when its probability of being right is at least this: see `cost`. */
  threshold: number;
  /** The costs the threshold minimises: a wrong answer costs `wrongAnswer` refusals. */
  cost: { wrongAnswer: number; refusal: number };
  /** Composition settings chosen on the fit part (see fit-answers.ts), with the values tried. */
  composition: { keepRatio: number; listKeepRatio: number; runnerUp: boolean };
  /** Where the weights came from: the sets and parts, their sizes, the command, the date. */
  fitted: Record<string, unknown>;
}

export const logit = <F extends string>(model: LogisticModel<F>, features: Record<F, number>): number => {
  let z = model.bias;
  model.features.forEach((f, i) => (z += (model.weights[i]! * ((features[f] ?? 0) - model.mean[i]!)) / model.scale[i]!));
  return z;
};

export const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

/** The fitted model in use. */
export const answerModel = modelFile as unknown as AnswerModelFile;

/** Refuses a model file whose features are not the ones this code computes (a model fitted by an older build). */
export function checkModel(model: AnswerModelFile): void {
  const same = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x, i) => x === b[i]);
  if (!same(model.sentence.features, SENTENCE_FEATURES) || ![model.about, model.stated].every((m) => same(m.features, ANSWER_FEATURES))) {
    throw new Error('compose/answer-model.json was fitted on other features than this build computes; run npm run fit');
  }
}

export const sentenceLogit = (c: Candidate, model: AnswerModelFile = answerModel) => logit(model.sentence, c.features);
