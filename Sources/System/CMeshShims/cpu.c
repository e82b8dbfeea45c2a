// See CMeshShims_cpu.h for why these exist: cpu_set_t macros and GNU-only calls.
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <string.h>
#include <unistd.h>
#include "CMeshShims_cpu.h"

int CMeshShims_pinCallingThreadToCPU(int cpu) {
    if (cpu < 0 || cpu >= CPU_SETSIZE) {
        return EINVAL;
    }
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    return pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
}

int CMeshShims_currentCPU(void) {
    int cpu = sched_getcpu();
    return cpu < 0 ? -errno : cpu;
}

pid_t CMeshShims_currentThreadID(void) {
    return gettid();
}

int CMeshShims_affinityOfThread(pid_t tid, int *cpus, int capacity) {
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(tid, sizeof(set), &set) != 0) {
        return -errno;
    }
    int count = 0;
    for (int cpu = 0; cpu < CPU_SETSIZE; cpu++) {
        if (CPU_ISSET(cpu, &set)) {
            if (count < capacity) {
                cpus[count] = cpu;
            }
            count++;
        }
    }
    return count;
}

int CMeshShims_nameCallingThread(const char *name) {
    char truncated[16];
    strncpy(truncated, name, sizeof(truncated) - 1);
    truncated[sizeof(truncated) - 1] = '\0';
    return pthread_setname_np(pthread_self(), truncated);
}
