#include "quant_kernels.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define TURNRL_X86 1
#endif

static float dot_q4_1_portable(const unsigned char *q, const float *d, const float *m, const float *x,
                               const float *xsum, int blocks) {
    float total = 0;
    for (int b = 0; b < blocks; b++) {
        const unsigned char *qb = q + 16 * b;
        const float *xb = x + 32 * b;
        float acc = 0;
        for (int j = 0; j < 16; j++) acc += (float)(qb[j] & 0x0F) * xb[j] + (float)(qb[j] >> 4) * xb[j + 16];
        total += d[b] * acc + m[b] * xsum[b];
    }
    return total;
}

static float dot_q8_0_portable(const signed char *q, const float *d, const float *x, int blocks) {
    float total = 0;
    for (int b = 0; b < blocks; b++) {
        const signed char *qb = q + 32 * b;
        const float *xb = x + 32 * b;
        float acc = 0;
        for (int j = 0; j < 32; j++) acc += (float)qb[j] * xb[j];
        total += d[b] * acc;
    }
    return total;
}

#ifdef TURNRL_X86
__attribute__((target("avx2,fma")))
static float hsum256(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

__attribute__((target("avx2,fma")))
static float dot_q4_1_avx2(const unsigned char *q, const float *d, const float *m, const float *x,
                           const float *xsum, int blocks) {
    __m256 acc = _mm256_setzero_ps();
    float offset = 0;
    const __m128i low = _mm_set1_epi8(0x0F);
    for (int b = 0; b < blocks; b++) {
        __m128i packed = _mm_loadu_si128((const __m128i *)(q + 16 * b));
        __m128i lo = _mm_and_si128(packed, low);
        __m128i hi = _mm_and_si128(_mm_srli_epi16(packed, 4), low);
        const float *xb = x + 32 * b;
        __m256 s = _mm256_mul_ps(_mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(lo)), _mm256_loadu_ps(xb));
        s = _mm256_fmadd_ps(_mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(_mm_srli_si128(lo, 8))), _mm256_loadu_ps(xb + 8), s);
        s = _mm256_fmadd_ps(_mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(hi)), _mm256_loadu_ps(xb + 16), s);
        s = _mm256_fmadd_ps(_mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(_mm_srli_si128(hi, 8))), _mm256_loadu_ps(xb + 24), s);
        acc = _mm256_fmadd_ps(_mm256_set1_ps(d[b]), s, acc);
        offset += m[b] * xsum[b];
    }
    return hsum256(acc) + offset;
}

__attribute__((target("avx2,fma")))
static float dot_q8_0_avx2(const signed char *q, const float *d, const float *x, int blocks) {
    __m256 acc = _mm256_setzero_ps();
    for (int b = 0; b < blocks; b++) {
        const signed char *qb = q + 32 * b;
        const float *xb = x + 32 * b;
        __m256 s = _mm256_setzero_ps();
        for (int k = 0; k < 4; k++) {
            __m128i bytes = _mm_loadl_epi64((const __m128i *)(qb + 8 * k));
            s = _mm256_fmadd_ps(_mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(bytes)), _mm256_loadu_ps(xb + 8 * k), s);
        }
        acc = _mm256_fmadd_ps(_mm256_set1_ps(d[b]), s, acc);
    }
    return hsum256(acc);
}

static int has_avx2(void) {
    static int cached = -1;
    if (cached < 0) {
        __builtin_cpu_init();
        cached = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    }
    return cached;
}
#endif

int turnrl_quant_kernels_avx2(void) {
#ifdef TURNRL_X86
    return has_avx2();
#else
    return 0;
#endif
}

float turnrl_dot_q4_1(const unsigned char *q, const float *d, const float *m, const float *x,
                      const float *xsum, int blocks) {
#ifdef TURNRL_X86
    if (has_avx2()) return dot_q4_1_avx2(q, d, m, x, xsum, blocks);
#endif
    return dot_q4_1_portable(q, d, m, x, xsum, blocks);
}

float turnrl_dot_q8_0(const signed char *q, const float *d, const float *x, int blocks) {
#ifdef TURNRL_X86
    if (has_avx2()) return dot_q8_0_avx2(q, d, x, blocks);
#endif
    return dot_q8_0_portable(q, d, x, blocks);
}

#ifdef TURNRL_X86
/// Dequantises `rows` consecutive rows (from row `first`) into tile[r·cols + k].
__attribute__((target("avx512f")))
static void dequantise_rows_avx512(const unsigned char *q, const float *d, const float *m, int cols,
                                   int first, int rows, float *tile) {
    const int blocks = cols / 32;
    const __m128i low = _mm_set1_epi8(0x0F);
    for (int r = 0; r < rows; r++) {
        for (int b = 0; b < blocks; b++) {
            const int block = (first + r) * blocks + b;
            const __m512 scale = _mm512_set1_ps(d[block]);
            float *out = tile + r * cols + 32 * b;
            __m512i lower, upper;
            if (m) {
                __m128i packed = _mm_loadu_si128((const __m128i *)(q + 16 * block));
                lower = _mm512_cvtepu8_epi32(_mm_and_si128(packed, low));
                upper = _mm512_cvtepu8_epi32(_mm_and_si128(_mm_srli_epi16(packed, 4), low));
                const __m512 offset = _mm512_set1_ps(m[block]);
                _mm512_storeu_ps(out, _mm512_fmadd_ps(scale, _mm512_cvtepi32_ps(lower), offset));
                _mm512_storeu_ps(out + 16, _mm512_fmadd_ps(scale, _mm512_cvtepi32_ps(upper), offset));
            } else {
                const signed char *qb = (const signed char *)q + 32 * block;
                lower = _mm512_cvtepi8_epi32(_mm_loadu_si128((const __m128i *)qb));
                upper = _mm512_cvtepi8_epi32(_mm_loadu_si128((const __m128i *)(qb + 16)));
                _mm512_storeu_ps(out, _mm512_mul_ps(scale, _mm512_cvtepi32_ps(lower)));
                _mm512_storeu_ps(out + 16, _mm512_mul_ps(scale, _mm512_cvtepi32_ps(upper)));
            }
        }
    }
}

/// 4 tile rows × 4 inputs: 16 accumulators, each step loads 4 weight and 4 input vectors for
/// 16 FMAs. Missing inputs (count < 4) alias the first one and are not stored.
__attribute__((target("avx512f")))
static void tile_times_inputs_avx512(const float *tile, int cols, int rows, const float *x, int inputs,
                                     float *out, int ldo) {
    const float *x0 = x, *x1 = x + (inputs > 1 ? cols : 0), *x2 = x + (inputs > 2 ? 2 * cols : 0),
                *x3 = x + (inputs > 3 ? 3 * cols : 0);
    const float *w0 = tile, *w1 = tile + cols, *w2 = tile + 2 * cols, *w3 = tile + 3 * cols;
    __m512 acc[4][4];
    for (int r = 0; r < 4; r++)
        for (int i = 0; i < 4; i++) acc[r][i] = _mm512_setzero_ps();
    for (int k = 0; k < cols; k += 16) {
        const __m512 a = _mm512_loadu_ps(w0 + k), b = _mm512_loadu_ps(w1 + k), c = _mm512_loadu_ps(w2 + k),
                     e = _mm512_loadu_ps(w3 + k);
        const float *xs[4] = {x0, x1, x2, x3};
        for (int i = 0; i < 4; i++) {
            const __m512 v = _mm512_loadu_ps(xs[i] + k);
            acc[0][i] = _mm512_fmadd_ps(a, v, acc[0][i]);
            acc[1][i] = _mm512_fmadd_ps(b, v, acc[1][i]);
            acc[2][i] = _mm512_fmadd_ps(c, v, acc[2][i]);
            acc[3][i] = _mm512_fmadd_ps(e, v, acc[3][i]);
        }
    }
    for (int r = 0; r < rows; r++)
        for (int i = 0; i < inputs; i++) out[i * ldo + r] = _mm512_reduce_add_ps(acc[r][i]);
}

__attribute__((target("avx512f")))
static void multiply_tiles_avx512(const unsigned char *q, const float *d, const float *m, int cols,
                                  int row_start, int row_end, const float *x, int count,
                                  float *out, int ldo, float *tile) {
    for (int first = row_start; first < row_end; first += 4) {
        const int rows = row_end - first < 4 ? row_end - first : 4;
        dequantise_rows_avx512(q, d, m, cols, first, rows, tile);
        // Rows past the end read zeros rather than stale values.
        for (int r = rows; r < 4; r++)
            for (int k = 0; k < cols; k++) tile[r * cols + k] = 0;
        for (int i = 0; i < count; i += 4) {
            const int inputs = count - i < 4 ? count - i : 4;
            tile_times_inputs_avx512(tile, cols, rows, x + i * cols, inputs, out + i * ldo + first, ldo);
        }
    }
}
#endif

int turnrl_quant_kernels_avx512(void) {
#ifdef TURNRL_X86
    static int cached = -1;
    if (cached < 0) {
        __builtin_cpu_init();
        cached = __builtin_cpu_supports("avx512f");
    }
    return cached;
#else
    return 0;
#endif
}

void turnrl_multiply_tiles_avx512(const unsigned char *q, const float *d, const float *m, int cols,
                                  int row_start, int row_end, const float *x, int count,
                                  float *out, int ldo, float *tile) {
#ifdef TURNRL_X86
    if (turnrl_quant_kernels_avx512()) multiply_tiles_avx512(q, d, m, cols, row_start, row_end, x, count, out, ldo, tile);
#endif
}
