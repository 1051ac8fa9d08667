/* A C program that calls kernels translated from Python, with no Python at run time.
 *
 * Build (see build.sh): `py2omp build ../saxpy.py --target host-offload --emit h -o OUT` and the same
 * for dot.py and matmul.py, then compile this file against OUT's headers and libraries. Each check
 * compares with the same computation done here on the host, so wrong data movement (a map clause
 * in the wrong direction on a device with separate memory) makes the program fail.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "dot.h"
#include "matmul.h"
#include "saxpy.h"

enum { N = 1000, M = 7, K = 5, P = 3 };

static int check(const char *what, double got, double want)
{
    int ok = fabs(got - want) <= 1e-9 * (1.0 + fabs(want));
    printf("%-6s %s: got %.6f, expected %.6f\n", what, ok ? "ok" : "FAILED", got, want);
    return ok;
}

static int check_saxpy(void)
{
    static float x[N], y[N];
    for (int i = 0; i < N; i++) {
        x[i] = (float)i;
        y[i] = 1.0f;
    }
    saxpy(2.0f, x, N, y, N);
    int ok = 1;
    for (int i = 0; i < N; i++)
        ok &= y[i] == 2.0f * (float)i + 1.0f;
    return check("saxpy", y[N - 1], 2.0 * (N - 1) + 1.0) && ok;
}

static int check_dot(void)
{
    static double x[N], y[N];
    double want = 0.0;
    for (int i = 0; i < N; i++) {
        x[i] = 0.5 * i;
        y[i] = 2.0;
        want += x[i] * y[i];
    }
    return check("dot", dot(x, N, y, N), want);
}

/* Row-major M x K times K x P: the C convention, extents outermost first. */
static int check_matmul(void)
{
    double a[M][K], b[K][P], c[M][P];
    for (int i = 0; i < M; i++)
        for (int k = 0; k < K; k++)
            a[i][k] = i + 0.1 * k;
    for (int k = 0; k < K; k++)
        for (int j = 0; j < P; j++)
            b[k][j] = k - j;
    matmul(&a[0][0], M, K, &b[0][0], K, P, &c[0][0], M, P);
    double worst = 0.0, sum = 0.0, want_sum = 0.0;
    for (int i = 0; i < M; i++)
        for (int j = 0; j < P; j++) {
            double want = 0.0;
            for (int k = 0; k < K; k++)
                want += a[i][k] * b[k][j];
            worst = fmax(worst, fabs(c[i][j] - want));
            sum += c[i][j];
            want_sum += want;
        }
    return check("matmul", sum, want_sum) && worst <= 1e-12;
}

int main(void)
{
    int ok = check_saxpy();
    ok &= check_dot();
    ok &= check_matmul();
    puts(ok ? "c_host: all results correct" : "c_host: WRONG RESULTS");
    return ok ? EXIT_SUCCESS : EXIT_FAILURE;
}
