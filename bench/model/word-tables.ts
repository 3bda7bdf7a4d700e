/**
 * Word-table micro-benchmark: two builds of the text model side by side (e.g. before and after a change to
 * the word tables), each round running each build in a fresh process, the builds alternating.
 *
 *   npx tsx bench/model/word-tables.ts --builds /tmp/old/textmodel/dist textmodel/dist [--rounds 7]
 *
 * Per process, on the synthetic catalog (84,916 rows, seed 42):
 * - training path: cleaning every listing once (`productText`), as a training run does, JIT and
 *   cleaned-word cache starting cold;
 * - serving path: the ids of 20,000 listings' words (ProductTokenIds) and their TF-IDF rows
 *   (transformTokenIdsRow), with a vectorizer fitted on 20,000 other listings; the first pass
 *   fills the word table, the next three find every word in it (a server's steady state: the
 *   fastest of the three);
 * - TF-IDF of the same 20,000 listings' cleaned texts (`transform`: KnownTokens scans each text).
 * Times are CPU seconds of the process (user and system), as the machine this runs on is shared and
 * its wall times swing with its load. Prints each build's median per measure, and the 1-minute
 * load average of each round.
 */
import { execFileSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { generateSyntheticCatalog } from '@prodclass/catalog/synthetic/generator';

interface Timings {
  clean_seconds: number;
  scan_seconds: number;
  serve_first_seconds: number;
  serve_again_seconds: number;
}

const servedProducts = 20_000;

/** CPU seconds (user and system, all threads) since `start`: less swayed than wall time by a busy machine. */
function cpuSecondsSince(start: NodeJS.CpuUsage): number {
  const { user, system } = process.cpuUsage(start);
  return (user + system) / 1e6;
}

async function measure(dist: string): Promise<Timings> {
  // Modules by path inside the build: the same in textmodel/dist and in core/dist from before the split.
  const loadModule = (file: string) => import(pathToFileURL(resolve(dist, file)).href);
  const { defaultTextSettings: settings, productText } = await loadModule('text/product-text.js');
  const { defaultTfidfSettings, TfidfVectorizer } = await loadModule('features/tfidf-vectorizer.js');
  const { ProductTokenIds } = await loadModule('text/product-token-ids.js');
  const catalog = [...generateSyntheticCatalog({ rows: 84_916, seed: 42 })];
  let started = process.cpuUsage();
  const texts: string[] = catalog.map((product) => productText(product, settings));
  const cleanSeconds = cpuSecondsSince(started);

  const vectorizer = new TfidfVectorizer(defaultTfidfSettings);
  vectorizer.fitTransform(texts.slice(0, servedProducts));
  const served = catalog.slice(-servedProducts);
  const tokenIds = new ProductTokenIds((words: readonly string[]) => vectorizer.tokenIds(words), settings);
  const serve = () => {
    started = process.cpuUsage();
    let entries = 0;
    for (const product of served)
      entries += vectorizer.transformTokenIdsRow(tokenIds.of(product)).indices.length;
    if (entries === 0) throw new Error('no known words served');
    return cpuSecondsSince(started);
  };
  const serveFirstSeconds = serve();
  const servedTexts = texts.slice(-servedProducts);
  started = process.cpuUsage();
  vectorizer.transform(servedTexts);
  return {
    clean_seconds: cleanSeconds,
    scan_seconds: cpuSecondsSince(started),
    serve_first_seconds: serveFirstSeconds,
    serve_again_seconds: Math.min(serve(), serve(), serve()),
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

const measureFlag = process.argv.indexOf('--measure');
if (measureFlag >= 0) {
  process.stdout.write(JSON.stringify(await measure(process.argv[measureFlag + 1] as string)));
} else {
  const buildsFlag = process.argv.indexOf('--builds');
  const builds = buildsFlag >= 0 ? process.argv.slice(buildsFlag + 1, buildsFlag + 3) : [];
  if (builds.length !== 2) throw new Error('usage: word-tables.ts --builds OLD_DIST NEW_DIST [--rounds N]');
  const roundsFlag = process.argv.indexOf('--rounds');
  const rounds = roundsFlag >= 0 ? Number(process.argv[roundsFlag + 1]) : 7;
  const runs: Timings[][] = builds.map(() => []);
  const loads: number[] = [];
  for (let round = 0; round < rounds; round++) {
    loads.push(loadavg()[0] as number);
    // Alternate which build goes first, so neither always runs on the warmer machine.
    const order = round % 2 ? [1, 0] : [0, 1];
    for (const build of order) {
      const output = execFileSync(process.execPath, [
        '--import',
        'tsx',
        import.meta.filename,
        '--measure',
        builds[build] as string,
      ]);
      const timings = JSON.parse(output.toString()) as Timings;
      runs[build]?.push(timings);
      process.stderr.write(`round ${round + 1} ${builds[build]}: ${JSON.stringify(timings)}\n`);
    }
  }
  const keys = ['clean_seconds', 'scan_seconds', 'serve_first_seconds', 'serve_again_seconds'] as const;
  const medians = runs.map((timings) => keys.map((key) => median(timings.map((run) => run[key]))));
  process.stdout.write(
    [
      `${rounds} alternating rounds; load average (1 min) per round: ${loads.map((load) => load.toFixed(1)).join(' ')}`,
      '',
      `| build | ${keys.join(' | ')} (medians) |`,
      `|---|${keys.map(() => '---').join('|')}|`,
      ...builds.map(
        (build, index) => `| ${build} | ${medians[index]?.map((value) => value.toFixed(3)).join(' | ')} |`,
      ),
      `| new / old | ${keys.map((_, key) => ((medians[1]?.[key] as number) / (medians[0]?.[key] as number)).toFixed(3)).join(' | ')} |`,
      '',
    ].join('\n'),
  );
}
