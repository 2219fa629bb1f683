/**
 * Compression algorithms of 2106.03795 ("Heavy Tails in SGD and Compressibility of
 * Overparametrized Neural Networks"): magnitude, singular-value and node pruning, the SVDs they
 * need, per-layer tail-index reports and the synthetic experiment.
 */
export * from "./layers.ts";
export * from "./magnitude.ts";
export * from "./svd.ts";
export * from "./gram_svd.ts";
export * from "./eigen.ts";
export * from "./spectral.ts";
export * from "./node.ts";
export * from "./tail.ts";
export * from "./reference.ts";
export * from "./synthetic.ts";
