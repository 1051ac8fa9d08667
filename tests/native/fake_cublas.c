/* A stand-in for cuBLAS on the host-offload target, where device pointers are host pointers
   (tests/test_blas.py builds it and names it in PY2OMP_CUBLAS): the entry points py2omp's prelude
   loads, with cuBLAS's column-major meaning and its argument checks, written as plain loops.
   As in cuBLAS, a beta of 0 leaves C (y) unread. `fake_calls` counts the products computed; a
   nonzero `fake_status` is returned instead. */

#include <stdlib.h>

#define INVALID_VALUE 7

int fake_calls = 0;
int fake_status = 0;

int cublasCreate_v2(void **handle)
{
    *handle = &fake_calls;
    return 0;
}

int cuCtxSynchronize(void)
{
    return 0;
}

static int at_least(int ld, int rows)
{
    return ld >= (rows > 1 ? rows : 1);
}

/* C (m x n) = alpha * op(A) op(B) + beta * C, op(A) m x k, op(B) k x n, all column-major. */
#define GEMM(name, T)                                                                                   \
    int name(void *handle, int ta, int tb, int m, int n, int k, const T *alpha, const T *a, int lda,   \
             const T *b, int ldb, const T *beta, T *c, int ldc)                                        \
    {                                                                                                   \
        (void)handle;                                                                                   \
        if (fake_status != 0)                                                                           \
            return fake_status;                                                                         \
        if (m < 0 || n < 0 || k < 0 || !at_least(lda, ta ? k : m) || !at_least(ldb, tb ? n : k) ||    \
            !at_least(ldc, m))                                                                          \
            return INVALID_VALUE;                                                                       \
        fake_calls++;                                                                                   \
        for (int j = 0; j < n; j++)                                                                     \
            for (int i = 0; i < m; i++) {                                                               \
                T sum = 0;                                                                              \
                for (int l = 0; l < k; l++)                                                             \
                    sum += (ta ? a[l + i * lda] : a[i + l * lda]) * (tb ? b[j + l * ldb] : b[l + j * ldb]); \
                c[i + j * ldc] = *alpha * sum + (*beta == 0 ? 0 : *beta * c[i + j * ldc]);              \
            }                                                                                           \
        return 0;                                                                                       \
    }

/* y = alpha * op(A) x + beta * y, A m x n column-major: op N gives m results, T gives n. */
#define GEMV(name, T)                                                                                   \
    int name(void *handle, int trans, int m, int n, const T *alpha, const T *a, int lda, const T *x,   \
             int incx, const T *beta, T *y, int incy)                                                  \
    {                                                                                                   \
        (void)handle;                                                                                   \
        if (fake_status != 0)                                                                           \
            return fake_status;                                                                         \
        if (m < 0 || n < 0 || !at_least(lda, m) || incx == 0 || incy == 0)                             \
            return INVALID_VALUE;                                                                       \
        fake_calls++;                                                                                   \
        int rows = trans ? n : m, cols = trans ? m : n;                                                 \
        for (int i = 0; i < rows; i++) {                                                                \
            T sum = 0;                                                                                  \
            for (int l = 0; l < cols; l++)                                                              \
                sum += (trans ? a[l + i * lda] : a[i + l * lda]) * x[l * incx];                         \
            y[i * incy] = *alpha * sum + (*beta == 0 ? 0 : *beta * y[i * incy]);                        \
        }                                                                                               \
        return 0;                                                                                       \
    }

GEMM(cublasDgemm_v2, double)
GEMM(cublasSgemm_v2, float)
GEMV(cublasDgemv_v2, double)
GEMV(cublasSgemv_v2, float)

/* The uplo triangle (0 lower, 1 upper) of the n x n C = alpha * op(A) op(B)^T + beta * C (syrkx, which
   computes the triangle of the product whatever B is) or alpha * (op(A) op(B)^T + op(B) op(A)^T) + beta
   * C (syr2k); op N: A and B are n x k, T: k x n. */
#define TRIANGLE(name, T, twice)                                                                        \
    int name(void *handle, int uplo, int trans, int n, int k, const T *alpha, const T *a, int lda,     \
             const T *b, int ldb, const T *beta, T *c, int ldc)                                        \
    {                                                                                                   \
        (void)handle;                                                                                   \
        if (fake_status != 0)                                                                           \
            return fake_status;                                                                         \
        if (n < 0 || k < 0 || !at_least(lda, trans ? k : n) || !at_least(ldb, trans ? k : n) ||       \
            !at_least(ldc, n))                                                                          \
            return INVALID_VALUE;                                                                       \
        fake_calls++;                                                                                   \
        for (int j = 0; j < n; j++)                                                                     \
            for (int i = uplo ? 0 : j; i < (uplo ? j + 1 : n); i++) {                                   \
                T sum = 0;                                                                              \
                for (int l = 0; l < k; l++) {                                                           \
                    T ai = trans ? a[l + i * lda] : a[i + l * lda], aj = trans ? a[l + j * lda] : a[j + l * lda]; \
                    T bi = trans ? b[l + i * ldb] : b[i + l * ldb], bj = trans ? b[l + j * ldb] : b[j + l * ldb]; \
                    sum += ai * bj + (twice ? bi * aj : 0);                                             \
                }                                                                               \
                c[i + j * ldc] = *alpha * sum + (*beta == 0 ? 0 : *beta * c[i + j * ldc]);              \
            }                                                                                           \
        return 0;                                                                                       \
    }

TRIANGLE(cublasDsyrkx, double, 0)
TRIANGLE(cublasSsyrkx, float, 0)
TRIANGLE(cublasDsyr2k_v2, double, 1)
TRIANGLE(cublasSsyr2k_v2, float, 1)

/* B = alpha * op(T) B (side 0) or alpha * B op(T) (side 1), T the uplo triangle (0 lower, 1 upper) of
   A, with ones on its diagonal where diag is 1; B m x n, all column-major; written to C, which may be
   B (in place), through a copy. */
#define TRMM(name, T)                                                                                   \
    int name(void *handle, int side, int uplo, int trans, int diag, int m, int n, const T *alpha,      \
             const T *a, int lda, const T *b, int ldb, T *c, int ldc)                                   \
    {                                                                                                   \
        (void)handle;                                                                                   \
        int k = side ? n : m;                                                                           \
        if (fake_status != 0)                                                                           \
            return fake_status;                                                                         \
        if (m < 0 || n < 0 || !at_least(lda, k) || !at_least(ldb, m) || !at_least(ldc, m))             \
            return INVALID_VALUE;                                                                       \
        fake_calls++;                                                                                   \
        T *out = malloc(sizeof(T) * (size_t)(m > 0 && n > 0 ? m * n : 1));                               \
        for (int j = 0; j < n; j++)                                                                     \
            for (int i = 0; i < m; i++) {                                                               \
                T sum = 0;                                                                              \
                for (int l = 0; l < k; l++) {                                                           \
                    int r = side ? l : i, s = side ? j : l; /* op(T)[r, s] */                           \
                    int p = trans ? s : r, q = trans ? r : s; /* T[p, q] */                             \
                    if (uplo ? p > q : p < q)                                                           \
                        continue; /* outside the triangle: not read */                                  \
                    T t = p == q && diag ? 1 : a[p + q * lda];                                          \
                    sum += t * (side ? b[i + l * ldb] : b[l + j * ldb]);                                \
                }                                                                                       \
                out[i + j * m] = *alpha * sum;                                                          \
            }                                                                                           \
        for (int j = 0; j < n; j++)                                                                     \
            for (int i = 0; i < m; i++)                                                                 \
                c[i + j * ldc] = out[i + j * m];                                                        \
        free(out);                                                                                      \
        return 0;                                                                                       \
    }

TRMM(cublasDtrmm_v2, double)
TRMM(cublasStrmm_v2, float)
