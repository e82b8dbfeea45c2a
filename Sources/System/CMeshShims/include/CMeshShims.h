// CMeshShims: the few things Swift cannot import from the C libraries and the kernel headers.
// Each group lives in its own header; every exported symbol carries the CMeshShims_ prefix.
#pragma once
#include "CMeshShims_openssl.h"
#include "CMeshShims_net.h"
#include "CMeshShims_cpu.h"
#include "CMeshShims_uv.h"
#include "CMeshShims_hmac.h"
