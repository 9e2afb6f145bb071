/**
 * `s3gan config show` prints the resolved configuration; `s3gan config keys` lists every key with
 * its type, default and meaning (the reference in README.md is this output).
 */
import { Command } from 'commander';
import { stringify as toYaml } from 'yaml';
import { z } from 'zod';
import { configSchema } from '../../config/schema.js';
import { commandConfig, print } from '../context.js';

interface JsonSchemaNode {
  type?: string | string[];
  description?: string;
  default?: unknown;
  enum?: unknown[];
  const?: unknown;
  properties?: Record<string, JsonSchemaNode>;
  anyOf?: JsonSchemaNode[];
  oneOf?: JsonSchemaNode[];
  items?: JsonSchemaNode;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
}

function typeText(node: JsonSchemaNode): string {
  if (node.enum !== undefined) return node.enum.map((v) => JSON.stringify(v)).join(' | ');
  if (node.const !== undefined) return JSON.stringify(node.const);
  const alternatives = node.anyOf ?? node.oneOf;
  if (alternatives !== undefined) return alternatives.map(typeText).join(' | ');
  if (node.type === 'array' && node.items !== undefined) return `list of ${typeText(node.items)}`;
  let text = Array.isArray(node.type) ? node.type.join(' | ') : (node.type ?? 'any');
  const low = node.minimum !== undefined ? `≥ ${node.minimum}` : node.exclusiveMinimum !== undefined ? `> ${node.exclusiveMinimum}` : '';
  const high = node.maximum !== undefined ? `≤ ${node.maximum}` : node.exclusiveMaximum !== undefined ? `< ${node.exclusiveMaximum}` : '';
  const range = [low, high].filter((s) => s !== '').join(', ');
  if (range !== '' && Math.abs(node.minimum ?? 0) < 9e15) text += ` (${range})`;
  return text;
}

/** Every leaf key of the schema: [path, type, default, description]. */
export function configKeys(): [string, string, string, string][] {
  const root = z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any' }) as JsonSchemaNode;
  const rows: [string, string, string, string][] = [];
  const walk = (node: JsonSchemaNode, path: string[]): void => {
    if (node.properties !== undefined && node.type === 'object') {
      for (const [key, child] of Object.entries(node.properties)) walk(child, [...path, key]);
      return;
    }
    const shownDefault = node.default === undefined ? '' : JSON.stringify(node.default);
    rows.push([path.join('.'), typeText(node), shownDefault, node.description ?? '']);
  };
  walk(root, []);
  return rows;
}

export function configCommand(): Command {
  const command = new Command('config').description('show the resolved configuration or list every key');
  command
    .command('show')
    .description('print the configuration after defaults, presets, the config file and --set overrides')
    .option('--json', 'print JSON instead of YAML')
    .action(async (options: { json?: boolean }, self: Command) => {
      const { config, files } = await commandConfig(self);
      if (options.json === true) {
        print(JSON.stringify(config, null, 2));
        return;
      }
      print(`# s3gan configuration${files.length > 0 ? ` from ${files.join(' ← ')}` : ' (defaults only: no config file found)'}`);
      process.stdout.write(toYaml(config));
    });
  command
    .command('keys')
    .description('list every configuration key with its type, default and meaning')
    .option('--markdown', 'print a Markdown table')
    .action((options: { markdown?: boolean }) => {
      const rows = configKeys();
      if (options.markdown === true) {
        print('| key | type | default | meaning |');
        print('| --- | --- | --- | --- |');
        for (const [key, type, value, description] of rows) print(`| \`${key}\` | ${type.replaceAll('|', '\\|')} | ${value === '' ? '' : `\`${value}\``} | ${description} |`);
        return;
      }
      for (const [key, type, value, description] of rows) print(`${key}  ${type}${value === '' ? '' : `  default ${value}`}\n    ${description}`);
    });
  return command;
}
