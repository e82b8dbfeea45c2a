#pragma once
// CPU placement for MeshRuntime's media workers.
//
// Why a shim: cpu_set_t is manipulated only through the CPU_ZERO / CPU_SET / CPU_ISSET
// function-like macros, which Swift cannot import, and sched_getcpu / gettid /
// pthread_setaffinity_np are GNU extensions declared only under _GNU_SOURCE.
#include <sys/types.h>

/// Pins the calling thread to exactly one CPU (pthread_setaffinity_np on pthread_self).
/// Returns 0, or an errno value (EINVAL when the CPU is out of range or not allowed).
int CMeshShims_pinCallingThreadToCPU(int cpu);

/// The CPU the calling thread runs on right now (sched_getcpu), or -errno.
int CMeshShims_currentCPU(void);

/// The kernel id of the calling thread (gettid), as listed under /proc/self/task.
pid_t CMeshShims_currentThreadID(void);

/// Writes the CPUs in the affinity mask of thread `tid` (0: the calling thread) into `cpus`,
/// ascending, at most `capacity` of them (sched_getaffinity). Returns how many CPUs the mask
/// holds (which may exceed `capacity`), or -errno.
int CMeshShims_affinityOfThread(pid_t tid, int *cpus, int capacity);

/// Names the calling thread (pthread_setname_np, GNU-only; at most 15 bytes are kept).
int CMeshShims_nameCallingThread(const char *name);
