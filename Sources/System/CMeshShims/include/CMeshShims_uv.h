// libuv calls Swift cannot make: uv_loop_configure is variadic.
#pragma once
#include <uv.h>

/// Turns on idle-time accounting (UV_METRICS_IDLE_TIME) so uv_metrics_idle_time() reports how
/// long the loop slept; call before the loop first runs. Returns 0 or a libuv error code.
int CMeshShims_enableLoopIdleTime(uv_loop_t *loop);
