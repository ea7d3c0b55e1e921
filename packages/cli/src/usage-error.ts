import { LineageInputError } from '@lineage/core';

/** Bad command-line usage: exit code 2, one line on stderr. */
export class UsageError extends LineageInputError {
  override readonly name: string = 'UsageError';
}
