export interface BackoffPolicy {
  /** First delay. Default 1 s. */
  initialDelayMs: number;
  /** Longest delay. Default 30 s. */
  maxDelayMs: number;
  /** Growth per failed attempt. Default 2. */
  multiplier: number;
  /**
   * Share of each delay that is random, in [0, 1]. Default 0.5: a delay lies between half and
   * all of its ceiling, so many clients dropped together do not redial together.
   */
  jitter: number;
}

export const DEFAULT_BACKOFF: Readonly<BackoffPolicy> = {
  initialDelayMs: 1_000,
  maxDelayMs: 30_000,
  multiplier: 2,
  jitter: 0.5,
};

/** The delay before reconnect attempt `attempt` (1-based): capped exponential growth with jitter. */
export function backoffDelay(
  attempt: number,
  policy: BackoffPolicy,
  random: () => number = Math.random,
): number {
  const exponent = Math.min(Math.max(0, attempt - 1), 30);
  const ceiling = Math.min(policy.maxDelayMs, policy.initialDelayMs * policy.multiplier ** exponent);
  const jitter = Math.min(1, Math.max(0, policy.jitter));
  return Math.round(ceiling * (1 - jitter) + random() * ceiling * jitter);
}
