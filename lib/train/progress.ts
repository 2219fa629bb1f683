/** Time left, for progress lines of long work whose total is known. */

/** "42 s", "7 min", "2.5 h". */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return "?";
  if (seconds < 90) return `${Math.round(seconds)} s`;
  if (seconds < 90 * 60) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

/**
 * "ETA 7 min" after `done` of `total` items took `elapsedSeconds` (items assumed alike), or ""
 * before the first item is done.
 */
export function etaText(done: number, total: number, elapsedSeconds: number): string {
  if (done <= 0 || total <= done) return done >= total && total > 0 ? "ETA 0 s" : "";
  return `ETA ${formatDuration((elapsedSeconds / done) * (total - done))}`;
}
