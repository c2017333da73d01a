// SPDX-License-Identifier: MIT
#include "cad/sampling.h"
