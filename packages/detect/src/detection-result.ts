/** The fields every detection result carries (DESIGN.md, "Contracts other tools rely on"). */
export interface DetectionResult {
  readonly scheme: string;
  /** Which marking channel was tested. */
  readonly channel: 'provider' | 'identity' | 'campaign';
  /** Tuples scored after de-duplication and exclusion. */
  readonly scored: number;
  /** The raw statistic (green count for the green list). */
  readonly score: number;
  /** Its mean under the null. */
  readonly expected: number;
  readonly pValue: number;
  readonly log10P: number;
  readonly verdict: 'marked' | 'not-marked';
  readonly alpha: number;
  readonly keyId: string;
  readonly commitment: string;
}
