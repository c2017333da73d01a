// SPDX-License-Identifier: MIT
#include "cad/normalization.h"
