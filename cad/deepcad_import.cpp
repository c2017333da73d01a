// SPDX-License-Identifier: MIT
#include "cad/deepcad_import.h"
