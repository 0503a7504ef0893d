// The peer for TurnRL's sgemm benchmark: the same OpenBLAS call as the Swift side, timed from C,
// so the ratio shows what (if anything) the Swift call path costs.
#define _POSIX_C_SOURCE 199309L
#include "CSgemmPeer.h"

#include <cblas.h>
#include <time.h>

static double now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

double turnrl_peer_sgemm_seconds(int n, int reps, const float *a, const float *b, float *c) {
    double start = now_seconds();
    for (int i = 0; i < reps; i++) {
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0f, a, n, b, n, 0.0f, c, n);
    }
    return now_seconds() - start;
}
