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
