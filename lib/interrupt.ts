/**
 * What a script does on Ctrl-C beyond exiting: the clean-ups registered here (a temp file being
 * streamed, a download in progress) and the line it prints. The SIGINT handler of lib/cli/args.ts
 * (`exitOnInterrupt`, installed by `runMain`) runs every registered clean-up, newest first, prints
 * the script's line (or its default) and exits 130; `Deno.exit` skips `finally` blocks, so code
 * that leaves something half-written on disk registers its removal here for as long as it can.
 */

type Cleanup = () => void | Promise<void>;

const cleanups: Cleanup[] = [];
let message: string | undefined;

/** Runs `cleanup` if the process is interrupted before the returned function is called. */
export function onInterrupt(cleanup: Cleanup): () => void {
  cleanups.push(cleanup);
  return () => {
    const at = cleanups.lastIndexOf(cleanup);
    if (at >= 0) cleanups.splice(at, 1);
  };
}

/** Removes `path` (a file) if the process is interrupted before the returned function is called. */
export function removeOnInterrupt(path: string): () => void {
  return onInterrupt(() => {
    try {
      Deno.removeSync(path);
    } catch { /* already gone (renamed into place or removed) */ }
  });
}

/** The line printed on Ctrl-C instead of the handler's default (undefined: the default). */
export function setInterruptMessage(line: string | undefined): void {
  message = line;
}

/** The line set by setInterruptMessage, if any. */
export function interruptMessage(): string | undefined {
  return message;
}

/**
 * Runs and forgets every registered clean-up, newest first; a failing one does not stop the
 * others. Returns the failures' messages (the handler prints them).
 */
export async function runInterruptCleanups(): Promise<string[]> {
  const failures: string[] = [];
  while (cleanups.length) {
    const cleanup = cleanups.pop()!;
    try {
      await cleanup();
    } catch (err) {
      failures.push(err instanceof Error ? err.message : String(err));
    }
  }
  return failures;
}
