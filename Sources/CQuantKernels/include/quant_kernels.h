#ifndef TURNRL_QUANT_KERNELS_H
#define TURNRL_QUANT_KERNELS_H

/// Dot products of Float32 rows with repacked ggml-quantised rows (PolicyModels'
/// QuantizedMatrix): scales `d` (and minimums `m` for Q4_1) as floats, one per 32-element
/// block, then the block quants (Q4_1: 16 bytes, low nibbles = elements 0..15, high nibbles
/// = 16..31; Q8_0: 32 signed bytes). The result equals the dot product with the dequantised
/// row up to float summation order (activations are not quantised).
///
/// AVX2+FMA code is chosen at run time when the CPU has it (function-level target attributes,
/// no build flags), so the binary stays baseline x86-64 and never executes an unsupported
/// instruction; elsewhere a portable loop runs.

/// Σ_b d[b]·Σ_j q[b,j]·x[32b+j] + m[b]·xsum[b] over `blocks` Q4_1 blocks.
float turnrl_dot_q4_1(const unsigned char *q, const float *d, const float *m, const float *x,
                      const float *xsum, int blocks);

/// Σ_b d[b]·Σ_j q[b,j]·x[32b+j] over `blocks` Q8_0 blocks.
float turnrl_dot_q8_0(const signed char *q, const float *d, const float *x, int blocks);

/// 1 when the AVX2 kernels are in use.
int turnrl_quant_kernels_avx2(void);

/// 1 when the CPU runs the AVX-512 (F) tile product below.
int turnrl_quant_kernels_avx512(void);

/// out[i·ldo + r] = x[i, :]·W[r, :] for the `count` inputs i (rows of `cols` floats) and the
/// weight rows r in [row_start, row_end) of a repacked matrix: Q4_1 when `m` is non-null,
/// Q8_0 otherwise. Four weight rows at a time are dequantised into `tile` (4·cols floats,
/// from L1) and multiplied with four inputs at a time, so a few-row product streams the
/// quantised weight once and the Float32 work runs at AVX-512 width. Call only when
/// `turnrl_quant_kernels_avx512()` is 1.
void turnrl_multiply_tiles_avx512(const unsigned char *q, const float *d, const float *m, int cols,
                                  int row_start, int row_end, const float *x, int count,
                                  float *out, int ldo, float *tile);

#endif
