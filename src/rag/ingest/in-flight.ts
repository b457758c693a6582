/**
 * File work a few at a time. Each file operation is a round trip to Node's thread pool; awaited one by one over a
 * corpus of thousands of files, the ingest mostly waits (about 3 s of a 10 s archive ingest, read and written).
 */
export const FILES_IN_FLIGHT = 16;

/** `work` over every item with at most `limit` running at once; results in the items' order. */
export async function mapInFlight<T, R>(items: readonly T[], work: (item: T) => Promise<R>, limit = FILES_IN_FLIGHT): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < items.length; i = next++) results[i] = await work(items[i]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
