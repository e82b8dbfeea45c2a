#pragma once
// Filled in by the module that needs it; see CMeshShims.h.
