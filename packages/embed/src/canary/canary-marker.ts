/**
 * Canaries in served responses, end to end: the policy decides per (account, prompt), the
 * inserter places the canary naturally (whole responses or streams, same output for any
 * chunking), and the ledger records every canary that was really inserted, after the response
 * is complete. A response the policy skips, or one with no place for a canary, passes unchanged
 * and is not recorded.
 */
import type { CanaryDraw } from '@lineage/core/canary';
import type { CanaryLedger } from '../ledger/canary-ledger.js';
import { CanaryInserter } from './canary-inserter.js';
import { type CanaryDecision, CanaryPolicy, type CanaryPolicyOptions, type CanaryRequest } from './canary-policy.js';

export interface CanaryMarkerOptions extends CanaryPolicyOptions {
  /** Where inserted canaries are recorded; also counts them for the daily cap. */
  readonly ledger?: CanaryLedger;
}

/** What happened to one response. */
export interface CanaryOutcome {
  /** The canary text, when one was inserted. */
  readonly canary?: string;
  readonly method?: 'placeholder' | 'aside';
  /** Why no canary was inserted: the policy's reason, or `no-place` when the text had none. */
  readonly skipped?: 'not-chosen' | 'opted-out' | 'cap-reached' | 'no-place';
}

export class CanaryMarker {
  readonly policy: CanaryPolicy;
  readonly #ledger: CanaryLedger | undefined;
  readonly #now: () => number;

  constructor(options: CanaryMarkerOptions) {
    this.#ledger = options.ledger;
    this.policy = new CanaryPolicy({ ...options, ...(options.ledger && !options.counter ? { counter: options.ledger } : {}) });
    this.#now = options.now ?? Date.now;
  }

  /** Inserts a canary into a whole response when the policy chooses it, and records it. */
  mark(request: CanaryRequest & { readonly text: string }): { readonly text: string } & CanaryOutcome {
    const decision = this.policy.decide(request);
    if (!decision.insert) return { text: request.text, skipped: decision.reason };
    const inserter = new CanaryInserter(decision.draw.canary, decision.draw.variant);
    const text = inserter.push(request.text) + inserter.end();
    const outcome = this.#settle(request, decision.draw, inserter);
    // Without a full canary nothing is recorded, so nothing of one may stay in the text either.
    return { text: outcome.canary === undefined ? request.text : text, ...outcome };
  }

  /**
   * A transform for a streamed response. The decision is made before the first chunk, so text
   * flows with the inserter's short hold-back. The canary is recorded just before the chunk that
   * completes it is passed on, so a client that disconnects afterwards cannot leave a delivered
   * canary unrecorded, and a ledger failure stops the stream before the canary goes out.
   */
  stream(request: CanaryRequest, onEnd?: (outcome: CanaryOutcome) => void): TransformStream<string, string> {
    const decision: CanaryDecision = this.policy.decide(request);
    if (!decision.insert) {
      return new TransformStream<string, string>({
        flush: () => onEnd?.({ skipped: decision.reason }),
      });
    }
    const { draw } = decision;
    const inserter = new CanaryInserter(draw.canary, draw.variant);
    const target = draw.canary.text;
    let recorded = false;
    let tail = '';
    const pass = (out: string, controller: TransformStreamDefaultController<string>) => {
      if (out === '') return;
      if (!recorded) {
        const seen = tail + out;
        if (seen.includes(target)) {
          this.#record(request, draw);
          recorded = true;
        }
        tail = seen.slice(-(target.length - 1));
      }
      controller.enqueue(out);
    };
    return new TransformStream<string, string>({
      transform: (chunk, controller) => pass(inserter.push(chunk), controller),
      flush: (controller) => {
        pass(inserter.end(), controller);
        onEnd?.(recorded ? this.#outcome(draw, inserter) : { skipped: 'no-place' });
      },
    });
  }

  #settle(request: CanaryRequest, draw: CanaryDraw, inserter: CanaryInserter): CanaryOutcome {
    if (!inserter.inserted) return { skipped: 'no-place' };
    this.#record(request, draw);
    return this.#outcome(draw, inserter);
  }

  #outcome(draw: CanaryDraw, inserter: CanaryInserter): CanaryOutcome {
    const method = inserter.method;
    return { canary: draw.canary.text, ...(method === undefined ? {} : { method }) };
  }

  #record(request: CanaryRequest, draw: CanaryDraw): void {
    this.#ledger?.record({
      accountId: request.accountId,
      ...(request.campaignId === undefined ? {} : { campaignId: request.campaignId }),
      // A lone surrogate cannot be stored as UTF-8; the draw used the prompt as given.
      prompt: request.prompt.replace(/\p{Cs}/gu, '\ufffd'),
      promptHash: draw.promptHash,
      canary: draw.canary.text,
      time: this.#now(),
      keyId: this.policy.drawer.keyId,
    });
    this.policy.accepted(request.accountId);
  }
}
