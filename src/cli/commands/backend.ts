/** `s3gan backend`: which compute backend this machine gives, and why the faster ones are not used. */
import { Command } from 'commander';
import { describeBackend, selectBackend } from '../../backend/select.js';
import { commandConfig, globalFlags, print } from '../context.js';

export function backendCommand(): Command {
  return new Command('backend')
    .description('select the compute backend as a run would (backend.name) and report it and every backend tried')
    .action(async (_flags: unknown, self: Command) => {
      const { config } = await commandConfig(self);
      if (globalFlags(self).dryRun) {
        print(`would select backend '${config.backend.name}'`);
        return;
      }
      const selection = await selectBackend(config.backend.name, undefined, () => undefined);
      print(describeBackend(selection));
      for (const attempt of selection.tried) print(`  not ${attempt.name}: ${attempt.error}`);
    });
}
