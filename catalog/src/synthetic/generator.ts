import { productClasses } from '@prodclass/textmodel/classes';
import { shuffleInPlace } from '@prodclass/textmodel/sampling/permutation';
import { SeededRandom } from '@prodclass/textmodel/sampling/random';
import type { CatalogRow } from '../catalog-row.js';
import { addHtmlTags, addMojibake, escapeEntities, escapeTwice, titleCase } from './text-noise.js';
import {
  type ClassVocabulary,
  classVocabularies,
  commonWords,
  type FamilyName,
  familyWords,
  type Language,
  sentenceOpenings,
  type Words,
} from './vocabulary.js';

export interface SyntheticCatalogOptions {
  rows: number;
  seed: number;
}

/** Rates from the real catalog (docs: shared/reference/rakuten-data.md). */
const emptyDescriptionRate = 0.351;
const htmlTagRate = 0.28;
const entityRate = 0.6;
const mojibakeRate = 0.08;
const titleCaseRate = 0.87;
const maxDescriptionLength = 12_000;

/**
 * How often a product of a family reads like one of its sibling classes. These rates put a
 * TF-IDF + logistic regression model at a weighted F1 of about 0.82, as on the real data.
 */
const siblingLookalikeRate: Record<FamilyName, number> = {
  books: 0.32,
  videoGames: 0.26,
  toys: 0.2,
  home: 0.2,
  outdoor: 0.14,
  baby: 0.14,
  office: 0.08,
};

const codesByFamily = new Map<FamilyName, number[]>();
for (const { code } of productClasses) {
  const { family } = classVocabularies[code] as ClassVocabulary;
  codesByFamily.set(family, [...(codesByFamily.get(family) ?? []), code]);
}

/** Exactly the real class shares, scaled to `rows` by largest remainder, in seeded random order. */
function shuffledLabels(rows: number, random: SeededRandom): Int32Array {
  const total = productClasses.reduce((sum, productClass) => sum + productClass.trainingRows, 0);
  const quotas = productClasses.map(({ code, trainingRows }) => {
    const exact = (rows * trainingRows) / total;
    return { code, count: Math.floor(exact), remainder: exact - Math.floor(exact) };
  });
  let missing = rows - quotas.reduce((sum, quota) => sum + quota.count, 0);
  for (const quota of [...quotas].sort((a, b) => b.remainder - a.remainder)) {
    if (missing-- <= 0) break;
    quota.count++;
  }
  const labels = new Int32Array(rows);
  let position = 0;
  for (const { code, count } of quotas) {
    labels.fill(code, position, position + count);
    position += count;
  }
  return shuffleInPlace(labels, random);
}

function languageOf(code: number, random: SeededRandom): Language {
  const roll = random.next();
  if (code === 10) return roll < 0.45 ? 'de' : roll < 0.7 ? 'en' : 'fr';
  return roll < 0.8 ? 'fr' : roll < 0.98 ? 'en' : 'de';
}

function logNormal(median: number, sigma: number, min: number, max: number, random: SeededRandom): number {
  return Math.min(max, Math.max(min, Math.round(median * Math.exp(sigma * random.normal()))));
}

const units = ['cm', 'mm', 'g', 'kg', 'ml', 'W'];
const platforms = ['PS4', 'PS3', 'Xbox One', 'Switch', 'PC', 'Wii', 'DS', '3DS', 'PS2', 'Game Boy'];

function digits(count: number, random: SeededRandom): string {
  let text = '';
  for (let i = 0; i < count; i++) text += random.below(10);
  return text;
}

function suffixOf(vocabulary: ClassVocabulary, random: SeededRandom): string {
  switch (vocabulary.suffix) {
    case 'isbn':
      return `ISBN 978${digits(10, random)}`;
    case 'reference':
      return `Ref ${String.fromCharCode(65 + random.below(26), 65 + random.below(26))}${digits(3 + random.below(3), random)}`;
    case 'size':
      return random.chance(0.5)
        ? `${20 + random.below(180)}x${20 + random.below(180)} cm`
        : `${1 + random.below(300)} cm`;
    case 'issue':
      return `N° ${1 + random.below(3000)}`;
    case 'platform':
      return random.pick(platforms);
    case 'age':
      return `${1 + random.below(12)}+ ans`;
  }
}

/** Every word in the three spellings the generator uses, computed once. */
interface WordList {
  plain: readonly string[];
  title: readonly string[];
  escaped: readonly string[];
}
type Spelling = keyof WordList;

function wordList(words: readonly string[]): WordList {
  return { plain: words, title: words.map(titleCase), escaped: words.map(escapeEntities) };
}

function wordLists(words: Words): Record<Language, WordList> {
  return { fr: wordList(words.fr), en: wordList(words.en), de: wordList(words.de) };
}

interface Topic {
  terms: Record<Language, WordList>;
  family: Record<Language, WordList>;
  vocabulary: ClassVocabulary;
}

const familyLists = new Map(Object.entries(familyWords).map(([name, words]) => [name, wordLists(words)]));
const topics = new Map<number, Topic>(
  Object.entries(classVocabularies).map(([code, vocabulary]) => [
    Number(code),
    {
      terms: wordLists(vocabulary.terms),
      family: familyLists.get(vocabulary.family) as Record<Language, WordList>,
      vocabulary,
    },
  ]),
);
const common = wordLists(commonWords);

/**
 * Runs of one to four everyday words, drawn once: descriptions are mostly filler, and picking
 * filler a phrase at a time keeps generation fast enough for million-row catalogs.
 */
function fillerPhrases(words: Words): Words {
  const random = new SeededRandom(0x5eed);
  const phrasesOf = (list: readonly string[]) =>
    Array.from({ length: 500 }, () =>
      Array.from({ length: 1 + random.below(4) }, () => random.pick(list)).join(' '),
    );
  return { fr: phrasesOf(words.fr), en: phrasesOf(words.en), de: phrasesOf(words.de) };
}
const filler = wordLists(fillerPhrases(commonWords));
const openings = wordLists(sentenceOpenings);

function pickWord(list: WordList, spelling: Spelling, random: SeededRandom): string {
  return list[spelling][random.below(list.plain.length)] as string;
}

/** A word of the topic: its class's own term, its family's, or an everyday word. */
function wordOf(
  topic: Topic,
  language: Language,
  spelling: Spelling,
  classRate: number,
  familyRate: number,
  random: SeededRandom,
  everyday: Record<Language, WordList> = common,
): string {
  const roll = random.next();
  if (roll < classRate) return pickWord(topic.terms[language], spelling, random);
  if (roll < classRate + familyRate) return pickWord(topic.family[language], spelling, random);
  return pickWord(everyday[language], spelling, random);
}

function designationOf(topic: Topic, language: Language, random: SeededRandom): string {
  const casing = random.next();
  const spelling = casing < titleCaseRate ? 'title' : 'plain';
  const words: string[] = [];
  if (random.chance(0.55)) words.push(random.pick(topic.vocabulary.brands));
  const wordCount = logNormal(8, 0.4, 1, 34, random);
  for (let i = 0; i < wordCount; i++) words.push(wordOf(topic, language, spelling, 0.3, 0.25, random));
  if (random.chance(0.6)) words.push(suffixOf(topic.vocabulary, random));
  let text = words.join(' ');
  while (text.length < 11) text += ` ${wordOf(topic, language, spelling, 0.3, 0.25, random)}`;
  if (text.length > 250) text = text.slice(0, text.lastIndexOf(' ', 250));
  if (casing > 0.97) return text.toUpperCase();
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function descriptionOf(topic: Topic, language: Language, random: SeededRandom): string {
  const withEntities = random.chance(entityRate);
  const spelling = withEntities ? 'escaped' : 'plain';
  // Slots, not words: a filler slot holds 2.5 words on average.
  let remaining = logNormal(40, 0.8, 2, 700, random);
  // One flat list of words joined once: building sentences by concatenation costs far more.
  const words: string[] = [];
  const sentenceEnds: number[] = [];
  while (remaining > 0) {
    const length = Math.min(remaining, 3 + random.below(6));
    remaining -= length;
    if (random.chance(0.35)) words.push(pickWord(openings[language], spelling, random));
    for (let i = 0; i < length; i++) {
      if (random.chance(0.03)) words.push(String(1 + random.below(500)), random.pick(units));
      else words.push(wordOf(topic, language, spelling, 0.18, 0.25, random, filler));
    }
    words[words.length - 1] += '.';
    sentenceEnds.push(words.length);
  }
  let text = random.chance(htmlTagRate)
    ? addHtmlTags(
        sentenceEnds.map((end, index) => words.slice(sentenceEnds[index - 1] ?? 0, end).join(' ')),
        random,
      )
    : words.join(' ');
  if (random.chance(mojibakeRate)) text = addMojibake(text, random);
  if (withEntities && random.chance(0.15)) text = escapeTwice(text);
  return text.length <= maxDescriptionLength
    ? text
    : text.slice(0, text.lastIndexOf(' ', maxDescriptionLength));
}

/**
 * A synthetic product catalog shaped like the Rakuten France training set: the 27 codes with
 * their real shares, French/English/German text, empty descriptions, HTML, entities and
 * mojibake at the real rates, and deliberately overlapping vocabulary between related classes.
 * Deterministic for a seed; rows are produced one by one so that millions can be streamed.
 */
export function* generateSyntheticCatalog({ rows, seed }: SyntheticCatalogOptions): Generator<CatalogRow> {
  if (!Number.isSafeInteger(rows) || rows < 1)
    throw new Error(`rows must be a positive integer, got ${rows}`);
  const random = new SeededRandom(seed);
  const labels = shuffledLabels(rows, random);
  const productIdMask = random.nextUint32();
  const imageIdMask = random.nextUint32();
  for (let index = 0; index < rows; index++) {
    const code = labels[index] as number;
    const family = (classVocabularies[code] as ClassVocabulary).family;
    const siblings = codesByFamily.get(family) as number[];
    const topicCode = random.chance(siblingLookalikeRate[family]) ? random.pick(siblings) : code;
    const topic = topics.get(topicCode) as Topic;
    const language = languageOf(code, random);
    yield {
      // Multiplying by an odd constant modulo 2^32 is a bijection: product ids never collide.
      productid: (Math.imul(index + 1, 0x9e3779b1) ^ productIdMask) >>> 0,
      imageid: (Math.imul(index + 1, 0x85ebca6b) ^ imageIdMask) >>> 0,
      designation: designationOf(topic, language, random),
      description: random.chance(emptyDescriptionRate) ? null : descriptionOf(topic, language, random),
      prdtypecode: code,
    };
  }
}
