#ifndef TURNRL_CSGEMM_PEER_H
#define TURNRL_CSGEMM_PEER_H

/// The C side of `turnrl bench compute`: times `reps` calls of
/// cblas_sgemm(RowMajor, NoTrans, NoTrans, n, n, n, 1, a, n, b, n, 0, c, n)
/// on the caller's buffers and returns the elapsed seconds (CLOCK_MONOTONIC).
double turnrl_peer_sgemm_seconds(int n, int reps, const float *a, const float *b, float *c);

#endif
