// SPDX-License-Identifier: MIT
#include "cad/tessellation.h"
