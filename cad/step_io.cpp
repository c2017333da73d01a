// SPDX-License-Identifier: MIT
#include "cad/step_io.h"
