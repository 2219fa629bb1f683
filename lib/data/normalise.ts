/**
 * Per-channel normalisation as torchvision does it: ToTensor (u8 → v/255) then Normalize
 * ((v − mean[c]) / std[c]). Images are CHW, so channel c covers pixels [c·H·W, (c+1)·H·W).
 */

export interface ChannelStats {
  mean: readonly number[];
  std: readonly number[];
}

/** Both papers' code (docs/papers.md §A.1). */
export const MNIST_STATS: ChannelStats = { mean: [0.1307], std: [0.3081] };

/**
 * Fashion-MNIST is not used by either paper. These are the values commonly quoted in the
 * torchvision community (mean and std of the 60k training pixels after /255).
 */
export const FASHION_MNIST_STATS: ChannelStats = { mean: [0.2860], std: [0.3530] };

/** Papers file §2.1 (both papers use the same CIFAR-10 values). */
export const CIFAR10_STATS: ChannelStats = {
  mean: [0.491, 0.482, 0.447],
  std: [0.247, 0.243, 0.262],
};

export const CIFAR100_STATS: ChannelStats = {
  mean: [0.5071, 0.4867, 0.4408],
  std: [0.2675, 0.2565, 0.2761],
};

/**
 * Writes normalised copies of `count` u8 images (each `channels`×`pixelsPerChannel`, CHW) from
 * `src` (starting at `srcOffset`, consecutive images `srcStride` bytes apart) into `dst` starting
 * at image `dstIndex`.
 */
export function normaliseU8Images(
  src: Uint8Array,
  srcOffset: number,
  srcStride: number,
  count: number,
  pixelsPerChannel: number,
  stats: ChannelStats,
  dst: Float32Array,
  dstIndex: number,
): void {
  const channels = stats.mean.length;
  const dim = channels * pixelsPerChannel;
  // One lookup table per channel: 256 possible byte values.
  const tables = stats.mean.map((mean, c) => {
    const t = new Float32Array(256);
    for (let v = 0; v < 256; v++) t[v] = (v / 255 - mean) / stats.std[c];
    return t;
  });
  for (let i = 0; i < count; i++) {
    const s = srcOffset + i * srcStride;
    const d = (dstIndex + i) * dim;
    for (let c = 0; c < channels; c++) {
      const table = tables[c];
      const base = c * pixelsPerChannel;
      for (let p = 0; p < pixelsPerChannel; p++) dst[d + base + p] = table[src[s + base + p]];
    }
  }
}
