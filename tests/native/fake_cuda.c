/* A stand-in for the few CUDA driver entry points runtime_shim/registration.py calls, for the
   host-offload target (tests/test_registration.py builds it and names it in PY2OMP_LIBCUDA): host
   memory registration as the driver answers it. A registration needs a current context, and one
   that overlaps a registered range fails with CUDA_ERROR_HOST_MEMORY_ALREADY_REGISTERED;
   unregistering an address that is not the start of a registered range fails too. `fake_calls`
   counts registrations that succeeded, `fake_live` the ranges registered now, `fake_flags` holds
   the last flags; a nonzero `fake_status` is returned by cuMemHostRegister instead. Every call that
   succeeded is logged in order: `fake_log_kind` 1 for a registration, -1 for an unregistration,
   with the range's start and size (`fake_log_count` entries, the first LOG of them). The primary
   contexts of `fake_devices` devices: `fake_active` (retained), `fake_sched` (their flags, as
   cuDevicePrimaryCtxSetFlags leaves them) and `fake_retains` (retain calls) per device. */

#include <stddef.h>
#include <stdint.h>

#define INVALID_VALUE 1
#define INVALID_CONTEXT 201
#define ALREADY_REGISTERED 712
#define NOT_REGISTERED 713
#define SLOTS 64

int fake_calls = 0;
int fake_live = 0;
int fake_status = 0;
unsigned fake_flags = 0;

#define LOG 256
int fake_log_count = 0;
int fake_log_kind[LOG];
uint64_t fake_log_address[LOG];
uint64_t fake_log_size[LOG];

#define DEVICES 8
int fake_devices = 2;
int fake_active[DEVICES];
unsigned fake_sched[DEVICES];
int fake_retains[DEVICES];

static __thread int current = 0; /* contexts pushed on this thread */
static int context_tag = 0;
static uintptr_t starts[SLOTS];
static size_t sizes[SLOTS];

static void logged(int kind, uintptr_t address, size_t size)
{
    if (fake_log_count < LOG) {
        fake_log_kind[fake_log_count] = kind;
        fake_log_address[fake_log_count] = address;
        fake_log_size[fake_log_count] = size;
    }
    fake_log_count++;
}

int cuInit(unsigned flags)
{
    return flags == 0 ? 0 : INVALID_VALUE;
}

int cuDeviceGet(int *device, int ordinal)
{
    if (ordinal < 0 || ordinal > 7)
        return 101; /* CUDA_ERROR_INVALID_DEVICE */
    *device = ordinal;
    return 0;
}

int cuDeviceGetCount(int *count)
{
    *count = fake_devices;
    return 0;
}

int cuDevicePrimaryCtxGetState(int device, unsigned *flags, int *active)
{
    if (device < 0 || device >= fake_devices)
        return 101;
    *flags = fake_sched[device];
    *active = fake_active[device];
    return 0;
}

int cuDevicePrimaryCtxSetFlags_v2(int device, unsigned flags)
{
    if (device < 0 || device >= fake_devices || flags > 7)
        return device < 0 || device >= fake_devices ? 101 : INVALID_VALUE;
    fake_sched[device] = flags;
    return 0;
}

int cuDevicePrimaryCtxRetain(void **context, int device)
{
    if (device >= 0 && device < DEVICES) {
        fake_active[device] = 1;
        fake_retains[device]++;
    }
    *context = &context_tag;
    return 0;
}

int cuCtxPushCurrent_v2(void *context)
{
    if (context != &context_tag)
        return INVALID_CONTEXT;
    current++;
    return 0;
}

int cuCtxPopCurrent_v2(void **context)
{
    if (current == 0)
        return INVALID_CONTEXT;
    current--;
    if (context)
        *context = &context_tag;
    return 0;
}

int cuMemHostRegister_v2(void *pointer, size_t size, unsigned flags)
{
    uintptr_t start = (uintptr_t)pointer;
    int free_slot = -1;
    if (fake_status != 0)
        return fake_status;
    if (current == 0)
        return INVALID_CONTEXT;
    if (pointer == NULL || size == 0)
        return INVALID_VALUE;
    for (int i = 0; i < SLOTS; i++) {
        if (sizes[i] == 0) {
            if (free_slot < 0)
                free_slot = i;
        } else if (start < starts[i] + sizes[i] && starts[i] < start + size) {
            return ALREADY_REGISTERED;
        }
    }
    if (free_slot < 0)
        return 2; /* CUDA_ERROR_OUT_OF_MEMORY */
    starts[free_slot] = start;
    sizes[free_slot] = size;
    fake_calls++;
    fake_live++;
    fake_flags = flags;
    logged(1, start, size);
    return 0;
}

int cuMemHostUnregister(void *pointer)
{
    if (current == 0)
        return INVALID_CONTEXT;
    for (int i = 0; i < SLOTS; i++) {
        if (sizes[i] != 0 && starts[i] == (uintptr_t)pointer) {
            logged(-1, starts[i], sizes[i]);
            sizes[i] = 0;
            fake_live--;
            return 0;
        }
    }
    return NOT_REGISTERED;
}
