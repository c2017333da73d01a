// SPDX-License-Identifier: MIT
#include "cad/mesh_io.h"
