/**
 * An async iterator fed by push(): what a subscription resolver returns. Values pushed while the
 * client is slow are buffered (bounded: the oldest are dropped, since each message is a full
 * snapshot and only the latest matters); `onClose` runs once when the client unsubscribes.
 */
export function pushIterator<T>(onClose: () => void, limit = 100): { push(value: T): void; iterator: AsyncIterableIterator<T> } {
  const buffer: T[] = [];
  let waiting: ((result: IteratorResult<T>) => void) | null = null;
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    onClose();
    waiting?.({ value: undefined, done: true });
    waiting = null;
  };
  const iterator: AsyncIterableIterator<T> = {
    next: () => {
      if (buffer.length > 0) return Promise.resolve({ value: buffer.shift()!, done: false });
      if (closed) return Promise.resolve({ value: undefined, done: true });
      return new Promise((resolve) => (waiting = resolve));
    },
    return: () => {
      close();
      return Promise.resolve({ value: undefined, done: true });
    },
    throw: (err) => {
      close();
      return Promise.reject(err);
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
  return {
    push(value: T) {
      if (closed) return;
      if (waiting) {
        const resolve = waiting;
        waiting = null;
        resolve({ value, done: false });
        return;
      }
      buffer.push(value);
      if (buffer.length > limit) buffer.shift();
    },
    iterator,
  };
}
