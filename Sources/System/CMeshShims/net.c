#include "CMeshShims.h"
