import { runCli } from './cli.js';

// A reader that stops early (`lineage canary export | head`) closes the pipe: that ends the
// output the user wanted, not an internal failure.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
  process.exit(process.exitCode ?? 0);
});

const code = await runCli(process.argv.slice(2), { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr });
process.exitCode = code;
