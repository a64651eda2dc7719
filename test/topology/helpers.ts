import { expect } from 'vitest';
import { TopologyError } from '../../src/errors.js';

/** Runs fn, asserts it throws a TopologyError, and returns it for checks of path and message. */
export function topologyError(fn: () => unknown): TopologyError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(TopologyError);
    return e as TopologyError;
  }
  throw new Error('expected a TopologyError, nothing was thrown');
}
