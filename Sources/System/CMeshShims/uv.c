#include "CMeshShims_uv.h"

int CMeshShims_enableLoopIdleTime(uv_loop_t *loop) {
    return uv_loop_configure(loop, UV_METRICS_IDLE_TIME);
}
