/** Validation and defaults for `SamplingOptions`, shared by the model, generation and the server. */
import { LineageInputError } from '@lineage/core';
import type { SamplingOptions } from './language-model.js';

export function resolveSamplingOptions(options: SamplingOptions): Required<SamplingOptions> {
  const temperature = options.temperature ?? 1;
  const topP = options.topP ?? 1;
  if (!(temperature >= 0 && temperature <= 2)) throw new LineageInputError(`temperature must be in [0, 2], got ${temperature}`);
  if (!(topP > 0 && topP <= 1)) throw new LineageInputError(`topP must be in (0, 1], got ${topP}`);
  return { temperature, topP, allowBoundary: options.allowBoundary ?? true };
}
