import type { OpenAlgoError } from '../errors.js';
import type { Problems } from './validators.js';

/** A broken rule of the contract; the message lists every problem found. */
export class ConformanceViolation extends Error {
  constructor(
    message: string,
    readonly problems: Problems = [],
  ) {
    super(message);
    this.name = 'ConformanceViolation';
  }
}

const SHOWN = 15;

/** Throws a `ConformanceViolation` naming `what` and listing the problems (the first 15). */
export function assertNoProblems(problems: Problems, what: string): void {
  if (problems.length === 0) {
    return;
  }
  const shown = problems.slice(0, SHOWN).map((problem) => `  - ${problem}`);
  if (problems.length > SHOWN) {
    shown.push(`  … and ${problems.length - SHOWN} more`);
  }
  throw new ConformanceViolation(`${what}:\n${shown.join('\n')}`, problems);
}

export function assertThat(condition: boolean, message: string): asserts condition {
  if (!condition) {
    throw new ConformanceViolation(message);
  }
}

type ErrorClass = { readonly name: string; isInstance(value: unknown): value is OpenAlgoError };

function describeValue(value: unknown): string {
  if (value instanceof Error) {
    const code = (value as { code?: unknown }).code;
    return `${value.name}${typeof code === 'string' ? ` (${code})` : ''}: ${value.message}`;
  }
  try {
    return `the value ${JSON.stringify(value)?.slice(0, 200)}`;
  } catch {
    return String(value);
  }
}

/** Awaits a call that must fail with one of the given typed errors; returns the error. */
export async function expectTypedError(
  call: () => Promise<unknown> | unknown,
  expected: ErrorClass | readonly ErrorClass[],
  what: string,
): Promise<OpenAlgoError> {
  const classes = Array.isArray(expected) ? expected : [expected as ErrorClass];
  const names = classes.map((errorClass) => errorClass.name).join(' or ');
  let outcome: unknown;
  try {
    outcome = await call();
  } catch (error) {
    if (classes.some((errorClass) => errorClass.isInstance(error))) {
      return error as OpenAlgoError;
    }
    throw new ConformanceViolation(`${what}: expected ${names}, but it threw ${describeValue(error)}`);
  }
  throw new ConformanceViolation(
    `${what}: expected ${names}, but it succeeded with ${describeValue(outcome)}`,
  );
}

/** Polls `read` until it yields a value (not `undefined`/`false`), or fails with `what`. */
export async function eventually<T>(
  read: () => Promise<T | undefined | false> | T | undefined | false,
  what: string,
  timeoutMs: number,
  every?: () => Promise<void> | void,
): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      await every?.();
      const value = await read();
      if (value !== undefined && value !== false) {
        return value;
      }
    } catch (error) {
      lastError = error;
    }
    if (performance.now() > deadline) {
      const detail = lastError === undefined ? '' : ` (last error: ${describeValue(lastError)})`;
      throw new ConformanceViolation(`${what}: not seen within ${timeoutMs} ms${detail}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
