/** Where an experiment's results lie in its output folder (the one owner of these names). */

export const RESULTS_JSON = 'results.json';
export const RESULTS_CSV = 'results.csv';
export const RESULTS_TABLE = 'table.md';
export const RESULTS_REPORT = 'report.html';
/** The folder of the PNG plots. */
export const RESULTS_PLOTS_DIR = 'plots';
