/* A stand-in for cuBLAS on the host-offload target, where device pointers are host pointers
   (tests/test_blas.py builds it and names it in PY2OMP_CUBLAS): the entry points py2omp's prelude
   loads, with cuBLAS's column-major meaning and its argument checks, written as plain loops.
   As in cuBLAS, a beta of 0 leaves C (y) unread.

   As on a GPU, a call only queues its product (alpha and beta read at the call, as cuBLAS reads
   host scalars) and returns; the queue runs, in order, in cuCtxSynchronize. A product the kernel
   reads before waiting for it is therefore stale here too, and a test compares against Python.
   `fake_calls` counts the products computed, `fake_syncs` the synchronizations, `fake_pending` the
   products queued and not run yet. A nonzero `fake_status` is returned instead of queuing, by every
   call after the next `fake_status_after` ones; a nonzero `fake_sync_status` by cuCtxSynchronize
   (after it ran the queue: a product that failed while running). */

#include <pthread.h>
#include <stdlib.h>

#define INVALID_VALUE 7

int fake_calls = 0;
int fake_syncs = 0;
int fake_pending = 0;
int fake_status = 0;
int fake_status_after = 0;
int fake_sync_status = 0;

/* One queued product: the routine's integer arguments in its order, its operands and scalars. */
typedef struct job {
    void (*run)(const struct job *);
    int i[9];
    const void *a, *b;
    void *c;
    double alpha, beta;
} job;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static job *queue = NULL;
static int queued = 0, room = 0;

static void enqueue(job j)
{
    pthread_mutex_lock(&lock);
    if (queued == room) {
        room = room ? 2 * room : 16;
        queue = realloc(queue, sizeof(job) * (size_t)room);
    }
    queue[queued++] = j;
    fake_pending = queued;
    pthread_mutex_unlock(&lock);
}

/* Whether this call fails with fake_status (the first fake_status_after calls do not). */
static int failing(void)
{
    pthread_mutex_lock(&lock);
    int spared = fake_status != 0 && fake_status_after > 0;
    fake_status_after -= spared;
    pthread_mutex_unlock(&lock);
    return fake_status != 0 && !spared;
}

int cublasCreate_v2(void **handle)
{
    *handle = &fake_calls;
    return 0;
}

int cuCtxSynchronize(void)
{
    pthread_mutex_lock(&lock);
    for (int k = 0; k < queued; k++) {
        queue[k].run(&queue[k]);
        fake_calls++;
    }
    queued = fake_pending = 0;
    fake_syncs++;
    pthread_mutex_unlock(&lock);
    return fake_sync_status;
}

static int at_least(int ld, int rows)
{
    return ld >= (rows > 1 ? rows : 1);
}

/* C (m x n) = alpha * op(A) op(B) + beta * C, op(A) m x k, op(B) k x n, all column-major. */
#define GEMM(name, T)                                                                                   \
    static void name##_run(const job *j)                                                                \
    {                                                                                                   \
        int ta = j->i[0], tb = j->i[1], m = j->i[2], n = j->i[3], k = j->i[4];                          \
        int lda = j->i[5], ldb = j->i[6], ldc = j->i[7];                                                \
        const T *a = j->a, *b = j->b, alpha = (T)j->alpha, beta = (T)j->beta;                           \
        T *c = j->c;                                                                                    \
        for (int jj = 0; jj < n; jj++)                                                                  \
            for (int i = 0; i < m; i++) {                                                               \
                T sum = 0;                                                                              \
                for (int l = 0; l < k; l++)                                                             \
                    sum += (ta ? a[l + i * lda] : a[i + l * lda]) * (tb ? b[jj + l * ldb] : b[l + jj * ldb]); \
                c[i + jj * ldc] = alpha * sum + (beta == 0 ? 0 : beta * c[i + jj * ldc]);               \
            }                                                                                           \
    }                                                                                                   \
    int name(void *handle, int ta, int tb, int m, int n, int k, const T *alpha, const T *a, int lda,   \
             const T *b, int ldb, const T *beta, T *c, int ldc)                                        \
    {                                                                                                   \
        (void)handle;                                                                                   \
        if (failing())                                                                                  \
            return fake_status;                                                                         \
        if (m < 0 || n < 0 || k < 0 || !at_least(lda, ta ? k : m) || !at_least(ldb, tb ? n : k) ||    \
            !at_least(ldc, m))                                                                          \
            return INVALID_VALUE;                                                                       \
        enqueue((job){name##_run, {ta, tb, m, n, k, lda, ldb, ldc}, a, b, c, *alpha, *beta});           \
        return 0;                                                                                       \
    }

/* y = alpha * op(A) x + beta * y, A m x n column-major: op N gives m results, T gives n. */
#define GEMV(name, T)                                                                                   \
    static void name##_run(const job *j)                                                                \
    {                                                                                                   \
        int trans = j->i[0], m = j->i[1], n = j->i[2], lda = j->i[3], incx = j->i[4], incy = j->i[5];   \
        const T *a = j->a, *x = j->b, alpha = (T)j->alpha, beta = (T)j->beta;                           \
        T *y = j->c;                                                                                    \
        int rows = trans ? n : m, cols = trans ? m : n;                                                 \
        for (int i = 0; i < rows; i++) {                                                                \
            T sum = 0;                                                                                  \
            for (int l = 0; l < cols; l++)                                                              \
                sum += (trans ? a[l + i * lda] : a[i + l * lda]) * x[l * incx];                         \
            y[i * incy] = alpha * sum + (beta == 0 ? 0 : beta * y[i * incy]);                           \
        }                                                                                               \
    }                                                                                                   \
    int name(void *handle, int trans, int m, int n, const T *alpha, const T *a, int lda, const T *x,   \
             int incx, const T *beta, T *y, int incy)                                                  \
    {                                                                                                   \
        (void)handle;                                                                                   \
        if (failing())                                                                                  \
            return fake_status;                                                                         \
        if (m < 0 || n < 0 || !at_least(lda, m) || incx == 0 || incy == 0)                             \
            return INVALID_VALUE;                                                                       \
        enqueue((job){name##_run, {trans, m, n, lda, incx, incy}, a, x, y, *alpha, *beta});             \
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
    static void name##_run(const job *j)                                                                \
    {                                                                                                   \
        int uplo = j->i[0], trans = j->i[1], n = j->i[2], k = j->i[3];                                  \
        int lda = j->i[4], ldb = j->i[5], ldc = j->i[6];                                                \
        const T *a = j->a, *b = j->b, alpha = (T)j->alpha, beta = (T)j->beta;                           \
        T *c = j->c;                                                                                    \
        for (int jj = 0; jj < n; jj++)                                                                  \
            for (int i = uplo ? 0 : jj; i < (uplo ? jj + 1 : n); i++) {                                 \
                T sum = 0;                                                                              \
                for (int l = 0; l < k; l++) {                                                           \
                    T ai = trans ? a[l + i * lda] : a[i + l * lda], aj = trans ? a[l + jj * lda] : a[jj + l * lda]; \
                    T bi = trans ? b[l + i * ldb] : b[i + l * ldb], bj = trans ? b[l + jj * ldb] : b[jj + l * ldb]; \
                    sum += ai * bj + (twice ? bi * aj : 0);                                             \
                }                                                                                       \
                c[i + jj * ldc] = alpha * sum + (beta == 0 ? 0 : beta * c[i + jj * ldc]);               \
            }                                                                                           \
    }                                                                                                   \
    int name(void *handle, int uplo, int trans, int n, int k, const T *alpha, const T *a, int lda,     \
             const T *b, int ldb, const T *beta, T *c, int ldc)                                        \
    {                                                                                                   \
        (void)handle;                                                                                   \
        if (failing())                                                                                  \
            return fake_status;                                                                         \
        if (n < 0 || k < 0 || !at_least(lda, trans ? k : n) || !at_least(ldb, trans ? k : n) ||       \
            !at_least(ldc, n))                                                                          \
            return INVALID_VALUE;                                                                       \
        enqueue((job){name##_run, {uplo, trans, n, k, lda, ldb, ldc}, a, b, c, *alpha, *beta});         \
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
    static void name##_run(const job *j)                                                                \
    {                                                                                                   \
        int side = j->i[0], uplo = j->i[1], trans = j->i[2], diag = j->i[3], m = j->i[4], n = j->i[5]; \
        int lda = j->i[6], ldb = j->i[7], ldc = j->i[8], k = side ? n : m;                              \
        const T *a = j->a, *b = j->b, alpha = (T)j->alpha;                                              \
        T *c = j->c;                                                                                    \
        T *out = malloc(sizeof(T) * (size_t)(m > 0 && n > 0 ? m * n : 1));                               \
        for (int jj = 0; jj < n; jj++)                                                                  \
            for (int i = 0; i < m; i++) {                                                               \
                T sum = 0;                                                                              \
                for (int l = 0; l < k; l++) {                                                           \
                    int r = side ? l : i, s = side ? jj : l; /* op(T)[r, s] */                          \
                    int p = trans ? s : r, q = trans ? r : s; /* T[p, q] */                             \
                    if (uplo ? p > q : p < q)                                                           \
                        continue; /* outside the triangle: not read */                                  \
                    T t = p == q && diag ? 1 : a[p + q * lda];                                          \
                    sum += t * (side ? b[i + l * ldb] : b[l + jj * ldb]);                               \
                }                                                                                       \
                out[i + jj * m] = alpha * sum;                                                          \
            }                                                                                           \
        for (int jj = 0; jj < n; jj++)                                                                  \
            for (int i = 0; i < m; i++)                                                                 \
                c[i + jj * ldc] = out[i + jj * m];                                                      \
        free(out);                                                                                      \
    }                                                                                                   \
    int name(void *handle, int side, int uplo, int trans, int diag, int m, int n, const T *alpha,      \
             const T *a, int lda, const T *b, int ldb, T *c, int ldc)                                   \
    {                                                                                                   \
        (void)handle;                                                                                   \
        if (failing())                                                                                  \
            return fake_status;                                                                         \
        if (m < 0 || n < 0 || !at_least(lda, side ? n : m) || !at_least(ldb, m) || !at_least(ldc, m))  \
            return INVALID_VALUE;                                                                       \
        enqueue((job){name##_run, {side, uplo, trans, diag, m, n, lda, ldb, ldc}, a, b, c, *alpha, 0});  \
        return 0;                                                                                       \
    }

TRMM(cublasDtrmm_v2, double)
TRMM(cublasStrmm_v2, float)
