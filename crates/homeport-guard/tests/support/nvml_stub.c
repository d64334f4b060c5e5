/* A stand-in for the NVIDIA driver's libnvidia-ml.so.1 (tests only): the entry points the
 * guard binds (src/nvml.rs), with one GPU whose utilisation and graphics processes are read
 * from the file STATE_FILE at every call: "UTILISATION [PID...]". No file: 0%, no process.
 * Built by the tests with `cc -shared -fPIC -DSTATE_FILE=...`. */
#include <stdio.h>

#define NVML_SUCCESS 0
#define NVML_ERROR_INVALID_ARGUMENT 2
#define NVML_ERROR_INSUFFICIENT_SIZE 7

typedef struct { unsigned int gpu; unsigned int memory; } nvmlUtilization_t;
typedef struct {
    unsigned int pid;
    unsigned long long usedGpuMemory;
    unsigned int gpuInstanceId;
    unsigned int computeInstanceId;
} nvmlProcessInfo_t;

static int device;

/* Reads the state file: utilisation and up to 64 pids; returns the pid count. */
static unsigned int read_state(unsigned int *util, unsigned int pids[64]) {
    unsigned int n = 0;
    *util = 0;
    FILE *f = fopen(STATE_FILE, "r");
    if (!f) return 0;
    if (fscanf(f, "%u", util) == 1) {
        while (n < 64 && fscanf(f, "%u", &pids[n]) == 1) n++;
    }
    fclose(f);
    return n;
}

unsigned int nvmlInit_v2(void) { return NVML_SUCCESS; }

unsigned int nvmlDeviceGetCount_v2(unsigned int *count) {
    *count = 1;
    return NVML_SUCCESS;
}

unsigned int nvmlDeviceGetHandleByIndex_v2(unsigned int index, void **handle) {
    if (index != 0) return NVML_ERROR_INVALID_ARGUMENT;
    *handle = &device;
    return NVML_SUCCESS;
}

unsigned int nvmlDeviceGetUtilizationRates(void *handle, nvmlUtilization_t *u) {
    unsigned int pids[64];
    if (handle != &device) return NVML_ERROR_INVALID_ARGUMENT;
    read_state(&u->gpu, pids);
    u->memory = u->gpu / 2;
    return NVML_SUCCESS;
}

unsigned int nvmlDeviceGetGraphicsRunningProcesses_v3(void *handle, unsigned int *count,
                                                      nvmlProcessInfo_t *infos) {
    unsigned int util, pids[64], i;
    if (handle != &device) return NVML_ERROR_INVALID_ARGUMENT;
    unsigned int n = read_state(&util, pids);
    if (*count < n) {
        *count = n;
        return NVML_ERROR_INSUFFICIENT_SIZE;
    }
    for (i = 0; i < n; i++) {
        infos[i].pid = pids[i];
        infos[i].usedGpuMemory = 256ull << 20;
        infos[i].gpuInstanceId = 0xFFFFFFFF;
        infos[i].computeInstanceId = 0xFFFFFFFF;
    }
    *count = n;
    return NVML_SUCCESS;
}
