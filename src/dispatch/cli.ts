// `jiesu dispatch …`: train and evaluate the text model, import categories and rules.
import { existsSync } from 'node:fs';
import cliProgress from 'cli-progress';
import { type Command, Option } from 'commander';
import { dbOptions, fail, intArg, readText, withDb, type DbOptions } from '../cli/shared.js';
import { importCategories, importRules } from './catalog.js';
import { saveModel, trainFromHistory, type Target } from './service.js';
import { TextModel, evaluate, readJsonl, train, type TrainOptions } from './textmodel/index.js';

/**
 * Training's own bar: it names the stage (calibration, then training), which the shared
 * progressBar cannot, and stays silent off a terminal so scripted runs get a clean stderr.
 */
function trainingBar(): { onProgress: TrainOptions['onProgress']; stop: () => void } {
  if (!process.stderr.isTTY) return { onProgress: undefined, stop: () => undefined };
  const bar = new cliProgress.SingleBar(
    { format: '训练 training [{bar}] {percentage}% | {stage} {value}/{total} epochs | {duration}s', stream: process.stderr, hideCursor: true },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    onProgress: (done, total, stage) => {
      if (!started) {
        bar.start(total, 0, { stage });
        started = true;
      }
      bar.update(done, { stage });
    },
    stop: () => started && bar.stop(),
  };
}

const fmt = (v: number) => v.toFixed(4);

export function commands(program: Command) {
  const dispatch = program.command('dispatch').description('智能分拨 smart dispatch: categories, responsibility list, text model');

  dbOptions(
    dispatch
      .command('train')
      .description('train the text model from a JSONL file of {text, label} (--input, --out) or from closed orders (--from-history)')
      .option('--input <file>', 'JSONL training file')
      .option('--out <dir>', 'model folder to write')
      .option('--from-history', 'train unit and category models from closed work orders and store them in the database')
      .option('--user-dict <file>', 'jieba user dictionary: local place names and terms, one per line (`word [freq] [tag]`)')
      .option('--epochs <n>', 'SGD epochs', intArg(1, 1000))
      .addOption(new Option('--publish <target>', 'also store the trained model in the database for the server').choices(['unit', 'category'])),
  ).action(async (o: { input?: string; out?: string; fromHistory?: boolean; userDict?: string; epochs?: number; publish?: Target } & DbOptions) => {
    const userDict = o.userDict ? readText(o.userDict) : undefined;
    const config = o.epochs ? { epochs: o.epochs } : undefined;
    if (o.fromHistory) {
      if (o.input) fail('--from-history 与 --input 不能同时使用 (use either --from-history or --input)');
      await withDb(o, async (db) => {
        const bar = trainingBar();
        const result = await trainFromHistory(db, { userDict, config, onProgress: bar.onProgress });
        bar.stop();
        for (const r of result) {
          console.log(
            r.modelId
              ? `${r.target}: model ${r.modelId} trained on ${r.examples} closed orders, ${r.labels} labels`
              : `${r.target}: skipped, ${r.skipped} (${r.examples} orders)`,
          );
        }
      });
      return;
    }
    if (!o.input || !o.out) fail('需要 --input FILE.jsonl 和 --out MODEL_DIR (need --input and --out, or --from-history)');
    if (!existsSync(o.input)) fail(`文件不存在 (file not found): ${o.input}`);
    const examples = readJsonl(o.input);
    const bar = trainingBar();
    const t0 = performance.now();
    const model = train(examples, { userDict, config, onProgress: bar.onProgress });
    bar.stop();
    model.save(o.out);
    console.log(
      `trained on ${examples.length} examples, ${model.labels.length} labels, ${model.meta.vocabSize} features, C ${model.meta.config.C}, temperature ${model.meta.temperature.toFixed(3)}, ${((performance.now() - t0) / 1000).toFixed(1)} s → ${o.out}`,
    );
    if (o.publish) {
      await withDb(o, async (db) => {
        const id = await saveModel(db, o.publish!, model, null);
        console.log(`published as ${o.publish} model ${id}`);
      });
    }
  });

  dispatch
    .command('eval')
    .description('evaluate a model folder on a JSONL file of {text, label}')
    .requiredOption('--model <dir>', 'model folder')
    .requiredOption('--input <file>', 'JSONL file')
    .option('--json', 'print one JSON object {n, accuracy, macroF1, top3Accuracy, msPerMessage}')
    .action((o: { model: string; input: string; json?: boolean }) => {
      if (!existsSync(o.input)) fail(`文件不存在 (file not found): ${o.input}`);
      const model = TextModel.load(o.model);
      const examples = readJsonl(o.input);
      if (examples.length === 0) fail(`没有样本 (no examples in ${o.input})`);
      model.predict(examples[0]!.text); // warm up the segmenter before timing
      const r = evaluate(model, examples);
      if (o.json) {
        console.log(JSON.stringify({ n: r.n, accuracy: r.accuracy, macroF1: r.macroF1, top3Accuracy: r.top3Accuracy, msPerMessage: r.msPerMessage }));
        return;
      }
      console.log(
        `n ${r.n}  accuracy ${fmt(r.accuracy)}  macro-F1 ${fmt(r.macroF1)}  top-3 ${fmt(r.top3Accuracy)}  ${r.msPerMessage.toFixed(3)} ms/message  ECE ${fmt(r.ece)}\n`,
      );
      const w = Math.max(5, ...r.labels.map((l) => width(l)));
      console.log(`${pad('label', w)}  precision  recall     f1  support`);
      for (const c of r.perClass) {
        console.log(
          `${pad(c.label, w)}  ${fmt(c.precision).padStart(9)}  ${fmt(c.recall).padStart(6)}  ${fmt(c.f1).padStart(6)}  ${String(c.support).padStart(7)}`,
        );
      }
      console.log('\nconfusion matrix (rows: true label, columns: predicted, in the order above)');
      const cw = Math.max(4, ...r.confusion.flat().map((v) => String(v).length + 1));
      r.confusion.forEach((row, i) => console.log(`${pad(r.labels[i]!, w)} ${row.map((v) => String(v).padStart(cw)).join('')}  [${i + 1}]`));
      console.log(`${pad('', w)} ${r.labels.map((_, j) => `[${j + 1}]`.padStart(cw)).join('')}`);
    });

  dbOptions(
    dispatch.command('import-categories').description('import the category tree from CSV rows level1,level2,level3').argument('<file>', 'CSV file'),
  ).action(async (file: string, o: DbOptions) => {
    const csv = readText(file);
    await withDb(o, async (db) => {
      const r = await db.tx((q) => importCategories(q, csv));
      console.log(`imported ${r.rows} rows: ${r.created} categories created, ${r.existing} already present`);
    });
  });

  dbOptions(
    dispatch.command('import-rules').description('import the responsibility list from CSV rows category,area,mainUnit,coUnits').argument('<file>', 'CSV file'),
  ).action(async (file: string, o: DbOptions) => {
    const csv = readText(file);
    await withDb(o, async (db) => {
      const r = await db.tx((q) => importRules(q, csv));
      console.log(`rules: ${r.created} created, ${r.updated} updated`);
    });
  });
}

/** Display width: CJK characters take two columns. */
const width = (s: string) => [...s].reduce((a, c) => a + (/[\u1100-\uffff]/.test(c) ? 2 : 1), 0);
const pad = (s: string, w: number) => s + ' '.repeat(Math.max(0, w - width(s)));
