/**
 * What one finished cell of an experiment grid contributes to the experiment's results: the runner
 * (runner.ts) collects these from the cells' run directories, and the results writers (results/)
 * turn a list of them into results.csv, the markdown table, the plots and report.html.
 */

/** One point of a cell's in-training cheap evaluation (its metrics.jsonl 'gan-eval' records). */
export interface CurvePoint {
  readonly step: number;
  readonly fid?: number;
  readonly labelAccuracy?: number;
}

export interface CellResult {
  /** Stable, filesystem-safe id, e.g. 's3gan-f0.01-s0'; also the cell's folder under cells/. */
  readonly id: string;
  readonly method: string;
  /**
   * The fraction of training labels the method was given: e.g. 0.01; 1 for methods trained on all
   * true labels (cgan-full, s3gan-full); null for methods that read no labels (gan, ssgan, random labels).
   */
  readonly labelFraction: number | null;
  readonly seed: number;
  /** The cell's run directory, relative to the experiment's output folder ('/'-separated). */
  readonly runDir: string;
  /** Final evaluation of G-EMA, by metric name as `s3gan eval` records it (e.g. 'fid', 'label-accuracy', 'precision', 'recall'). */
  readonly metrics: Readonly<Record<string, number>>;
  /** Accuracy of the pseudo-labels on the training images, where the cell's pipeline made them. */
  readonly pseudoLabelAccuracy?: number;
  /** Wall-clock seconds the cell's own stages took (shared stages are counted once, in their own records). */
  readonly wallSeconds: number;
  readonly curve: readonly CurvePoint[];
  /** The final sample grid (PNG), relative to the experiment's output folder. */
  readonly sampleGrid?: string;
  /** The cell's resolved config (JSON), relative to the experiment's output folder. */
  readonly configFile: string;
}

/** A shared stage: run once, reused by every cell whose inputs hash the same. */
export interface SharedStageResult {
  /** e.g. 'pretrain' or 'pseudo-label'. */
  readonly stage: string;
  /** The config hash of the stage's inputs (its folder is shared/<stage>-<hash>). */
  readonly hash: string;
  readonly runDir: string;
  readonly wallSeconds: number;
  /** Ids of the cells that reuse it. */
  readonly cells: readonly string[];
  /** Pseudo-label accuracy (pseudo-label stages) or held-out rotation accuracy (pretrain), when known. */
  readonly accuracy?: number;
}

export interface ExperimentResults {
  /** The experiment's name (its config file's base name). */
  readonly name: string;
  /** The command that reproduces it, as the user would type it. */
  readonly command: string;
  /** The experiment config as written (YAML text), shown in the report. */
  readonly configText: string;
  readonly cells: readonly CellResult[];
  readonly shared: readonly SharedStageResult[];
}
